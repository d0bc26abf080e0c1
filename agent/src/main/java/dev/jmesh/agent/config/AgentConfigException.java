package dev.jmesh.agent.config;

/** A setting is missing or invalid; the message names the setting, the value and the fix. */
public final class AgentConfigException extends RuntimeException {

  public AgentConfigException(String message) {
    super(message);
  }
}
