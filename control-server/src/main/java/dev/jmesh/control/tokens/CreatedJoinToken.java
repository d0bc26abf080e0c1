package dev.jmesh.control.tokens;

/** The answer to {@code POST /v1/tokens}: the token text (shown once), its id and its expiry. */
public record CreatedJoinToken(String token, String id, long expiresAtEpochMillis) {}
