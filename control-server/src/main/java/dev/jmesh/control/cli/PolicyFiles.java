package dev.jmesh.control.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the YAML that {@code apply -f} and {@code delete -f} take. */
final class PolicyFiles {

  private PolicyFiles() {}

  static byte[] read(String file) throws ClientException {
    try {
      return file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new ClientException("cannot read " + label(file) + ": " + e);
    }
  }

  static String label(String file) {
    return file.equals("-") ? "stdin" : file;
  }
}
