package dev.jmesh.agent.identity;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * Makes the workload's key pair (EC P-256, in memory only) and the PKCS#10 request for it. The
 * request has an empty subject: the control server writes the SPIFFE URI SAN itself.
 *
 * <p>The request is a fixed DER structure around the JDK's own encodings (the public key's
 * SubjectPublicKeyInfo, the ECDSA signature), written here rather than with Bouncy Castle's
 * builder: its algorithm tables load a few hundred classes while the application starts.
 */
public final class CertificateSigningRequests {

  /** INTEGER 0: PKCS#10 version 1. */
  private static final byte[] VERSION = {0x02, 0x01, 0x00};

  /** An empty Name (SEQUENCE {}). */
  private static final byte[] EMPTY_SUBJECT = {0x30, 0x00};

  /** attributes [0] IMPLICIT SET OF Attribute, empty. */
  private static final byte[] NO_ATTRIBUTES = {(byte) 0xA0, 0x00};

  /** AlgorithmIdentifier ecdsa-with-SHA256 (1.2.840.10045.4.3.2), no parameters (RFC 5758). */
  private static final byte[] ECDSA_WITH_SHA256 = {
    0x30, 0x0A, 0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02
  };

  private CertificateSigningRequests() {}

  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
    }
  }

  public static String csrPem(KeyPair keyPair) {
    return Pem.block("CERTIFICATE REQUEST", csrDer(keyPair));
  }

  /** CertificationRequest (RFC 2986) for {@code keyPair}, signed with SHA256withECDSA. */
  static byte[] csrDer(KeyPair keyPair) {
    byte[] info =
        sequence(VERSION, EMPTY_SUBJECT, keyPair.getPublic().getEncoded(), NO_ATTRIBUTES);
    try {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(keyPair.getPrivate());
      signer.update(info);
      byte[] signature = signer.sign(); // DER Ecdsa-Sig-Value, as the BIT STRING holds it
      byte[] bits = new byte[signature.length + 1]; // leading 0: no unused bits
      System.arraycopy(signature, 0, bits, 1, signature.length);
      return sequence(info, ECDSA_WITH_SHA256, tagged(0x03, bits));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate request", e);
    }
  }

  static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    return tagged(0x30, content.toByteArray());
  }

  /** One DER element: tag, definite length, content. */
  static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 4);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xFF);
    } else {
      throw new IllegalArgumentException("DER element too long for a certificate request");
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
