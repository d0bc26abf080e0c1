package dev.jmesh.control.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.control.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final ApiHandler get = request -> null;
  private final ApiHandler delete = request -> null;
  private final Router router =
      new Router()
          .add("GET", "/v1/policies/{namespace}/{name}", get)
          .add("DELETE", "/v1/policies/{namespace}/{name}", delete);

  @Test
  void pathParametersArePercentDecodedAfterSplitting() throws ApiException {
    Router.Match match = router.route("GET", "/v1/policies/default/a%2Fb%20c");

    assertSame(get, match.handler());
    assertEquals(Map.of("namespace", "default", "name", "a/b c"), match.pathParameters());
  }

  @Test
  void aPlusInThePathIsAPlusNotASpace() throws ApiException {
    assertEquals("v1+beta", router.route("DELETE", "/v1/policies/x/v1+beta").pathParameters().get("name"));
    assertEquals("a+b", router.route("GET", "/v1/policies/x/a%2Bb").pathParameters().get("name"));
  }

  @Test
  void malformedEncodingIsABadRequestNamingThePath() {
    ApiException e = assertThrows(ApiException.class, () -> router.route("GET", "/v1/policies/x/%zz"));

    assertEquals(400, e.status());
    assertTrue(e.getMessage().startsWith("the path /v1/policies/x/%zz is not valid percent-encoding"), e.getMessage());
  }

  @Test
  void unknownPathsAndMethodsSayWhatIsThere() {
    ApiException notFound = assertThrows(ApiException.class, () -> router.route("GET", "/v1/policies/x"));
    ApiException notAllowed =
        assertThrows(ApiException.class, () -> router.route("PUT", "/v1/policies/x/y"));

    assertEquals(404, notFound.status());
    assertEquals(405, notAllowed.status());
    assertEquals("PUT is not allowed on /v1/policies/x/y; use DELETE or GET", notAllowed.getMessage());
  }
}
