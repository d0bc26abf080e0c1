package dev.jmesh.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The sidecar pair's and the TLS benchmark's certificates, made with the openssl command: an EC
 * P-256 CA, a server certificate for {@code bench-server}/127.0.0.1 and a client certificate with a
 * SPIFFE ID, as a mesh would issue them. Files: {@code ca.pem}, {@code <name>.pem}, {@code
 * <name>.key} (PKCS#8) and {@code <name>-bundle.pem} (certificate + key, for haproxy).
 */
final class Pki {

  private Pki() {}

  static Path create(Processes procs, Path dir) throws IOException {
    Files.createDirectories(dir);
    run(procs, dir, "pki-ca", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3", "-subj", "/O=jmesh-bench/CN=bench-ca");
    leaf(procs, dir, "server", "subjectAltName=DNS:bench-server,IP:127.0.0.1,URI:spiffe://cluster.local/ns/default/sa/bench-server");
    leaf(procs, dir, "client", "subjectAltName=URI:spiffe://cluster.local/ns/default/sa/bench-client");
    return dir;
  }

  private static void leaf(Processes procs, Path dir, String name, String san) throws IOException {
    Files.writeString(dir.resolve(name + ".ext"),
        san + "\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n");
    run(procs, dir, "pki-" + name + "-csr", "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/O=jmesh-bench");
    run(procs, dir, "pki-" + name + "-sign", "openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem",
        "-CAkey", "ca.key", "-CAcreateserial", "-days", "3", "-out", name + ".pem", "-extfile", name + ".ext");
    Files.writeString(dir.resolve(name + "-bundle.pem"),
        Files.readString(dir.resolve(name + ".pem")) + Files.readString(dir.resolve(name + ".key")));
  }

  private static void run(Processes procs, Path dir, String name, String... command) {
    List<String> cmd = List.of(command);
    Processes.Result r = procs.run(name, concat(List.of("sh", "-c", "cd '" + dir + "' && exec \"$@\"", "sh"), cmd),
        Map.of(), Duration.ofSeconds(30));
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.output());
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
