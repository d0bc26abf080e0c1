package dev.jmesh.api;

/** The body of every 4xx/5xx answer: one sentence naming what is wrong and where. */
public record ApiError(String error) {}
