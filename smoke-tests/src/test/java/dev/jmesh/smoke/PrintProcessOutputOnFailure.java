package dev.jmesh.smoke;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;

/**
 * When a test (or a class's set-up) fails, prints the output of every process started since the
 * test class began, the class's shared control server included; when the class ends, kills
 * whatever is still running.
 */
final class PrintProcessOutputOnFailure
    implements BeforeAllCallback,
        AfterTestExecutionCallback,
        LifecycleMethodExecutionExceptionHandler,
        AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PrintProcessOutputOnFailure.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NAMESPACE).put("first", ManagedProcess.ALL.size());
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    context.getExecutionException().ifPresent(failure -> print(context, failure));
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    print(context, failure);
    throw failure;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    print(context, failure);
    throw failure;
  }

  private static void print(ExtensionContext context, Throwable failure) {
    StringBuilder out = new StringBuilder();
    out.append("\n===== ").append(context.getDisplayName()).append(" failed: ")
        .append(failure).append("\n");
    for (ManagedProcess process : processesOfThisClass(context)) {
      out.append(process.describeOutput(150));
    }
    out.append("===== end of process output\n");
    System.out.println(out);
  }

  private static java.util.List<ManagedProcess> processesOfThisClass(ExtensionContext context) {
    Integer first = context.getStore(NAMESPACE).get("first", Integer.class);
    int from = first == null ? 0 : first;
    return ManagedProcess.ALL.subList(from, ManagedProcess.ALL.size());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    for (ManagedProcess process : processesOfThisClass(context)) {
      if (process.isAlive()) {
        process.kill();
      }
    }
  }
}
