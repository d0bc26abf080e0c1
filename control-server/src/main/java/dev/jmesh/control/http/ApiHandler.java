package dev.jmesh.control.http;

import dev.jmesh.control.ApiException;
import java.io.IOException;

/** Handles one API call; routing and error bodies are the dispatcher's job. */
@FunctionalInterface
public interface ApiHandler {
  ApiResponse handle(ApiRequest request) throws ApiException, IOException;
}
