package dev.jmesh.agent.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void aRequestWithAnIdKeepsIt() {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request.headers().set(RequestIds.HEADER, "mine");
    assertEquals("mine", RequestIds.ensure(request));
    assertEquals("mine", request.headers().get(RequestIds.HEADER));
  }

  @Test
  void aRequestWithoutOneGetsADistinctVersion4Uuid() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      String id = RequestIds.ensure(request);
      assertEquals(id, request.headers().get(RequestIds.HEADER));
      UUID uuid = UUID.fromString(id);
      assertEquals(4, uuid.version());
      assertEquals(2, uuid.variant());
      seen.add(id);
    }
    assertEquals(1000, seen.size());
    assertNotEquals(RequestIds.randomUuid(), RequestIds.randomUuid());
  }
}
