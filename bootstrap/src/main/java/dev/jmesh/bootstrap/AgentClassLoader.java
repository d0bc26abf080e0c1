package dev.jmesh.bootstrap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's own classes (its code and its relocated libraries) from {@code inst/} entries
 * of the agent jar, stored as {@code .classdata} so that no application class loader can load
 * them. Child-first for everything under {@code inst/}; everything else is delegated to the
 * platform class loader (which sees the JDK modules and, through the boot loader, {@code bootstrap}).
 */
public final class AgentClassLoader extends ClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  private static final String PREFIX = "inst/";
  private final JarFile jar;
  private final URL jarUrl;
  private final ProtectionDomain domain;

  public AgentClassLoader(JarFile jar, URL jarUrl) {
    super("jmesh-agent", ClassLoader.getPlatformClassLoader());
    this.jar = jar;
    this.jarUrl = jarUrl;
    this.domain =
        new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), null, this, null);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
        loaded = entry != null ? define(name, entry) : super.loadClass(name, false);
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  private Class<?> define(String name, JarEntry entry) throws ClassNotFoundException {
    try (InputStream in = jar.getInputStream(entry)) {
      byte[] bytes = in.readAllBytes();
      int dot = name.lastIndexOf('.');
      if (dot > 0) {
        String pkg = name.substring(0, dot);
        if (getDefinedPackage(pkg) == null) {
          try {
            definePackage(pkg, null, null, null, null, null, null, null);
          } catch (IllegalArgumentException alreadyDefinedConcurrently) {
            // another thread defined it first
          }
        }
      }
      return defineClass(name, bytes, 0, bytes.length, domain);
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
  }

  @Override
  protected URL findResource(String name) {
    String entryName = name.endsWith(".class")
        ? PREFIX + name.substring(0, name.length() - ".class".length()) + ".classdata"
        : PREFIX + name;
    JarEntry entry = jar.getJarEntry(entryName);
    if (entry == null) {
      return null;
    }
    try {
      return new URL("jar:" + jarUrl + "!/" + entryName);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(
        Collections.singletonList(url));
  }

  @Override
  public URL getResource(String name) {
    URL own = findResource(name);
    return own != null ? own : super.getResource(name);
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    URL own = findResource(name);
    if (own == null) {
      return super.getResourceAsStream(name);
    }
    String entryName = own.toString().substring(own.toString().indexOf("!/") + 2);
    try {
      return new java.io.ByteArrayInputStream(readEntry(entryName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] readEntry(String entryName) throws IOException {
    try (InputStream in = jar.getInputStream(jar.getJarEntry(entryName))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }
}
