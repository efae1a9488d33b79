package io.pixelwise.engine;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * A {@link Session} on a TensorFlow server ({@code grpc://host:port}): TensorFlow Java 1.1.0's
 * Session has no target parameter, so the C API's {@code TF_SetTarget} is called here and the
 * native session wrapped with Session's package-private constructor, the one TF Java itself uses
 * for sessions it did not create.
 */
public final class NativeSessions {
  private static final Method REF;
  private static final Method HANDLE;
  private static final Method CLOSE;
  private static final Constructor<Session> WRAP;

  static {
    try {
      REF = Graph.class.getDeclaredMethod("ref");
      REF.setAccessible(true);
      HANDLE = REF.getReturnType().getDeclaredMethod("nativeHandle");
      HANDLE.setAccessible(true);
      CLOSE = REF.getReturnType().getDeclaredMethod("close");
      CLOSE.setAccessible(true);
      WRAP = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      WRAP.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(
          "this TensorFlow Java version lacks Graph.ref() or Session(Graph, TF_Session) (found in 1.1.0),"
              + " which sessions on a TensorFlow server need: " + e);
    }
  }

  private NativeSessions() {}

  /** A session on {@code graph} that runs on the server at {@code target}. */
  public static Session open(Graph graph, String target, ConfigProto config) {
    Object ref = invoke(REF, graph);
    try (PointerScope scope = new PointerScope()) {
      TF_Graph handle = (TF_Graph) invoke(HANDLE, ref);
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions opts = TF_SessionOptions.newSessionOptions();
      TF_SetTarget(opts, target);
      BytePointer bytes = new BytePointer(config.toByteArray());
      TF_SetConfig(opts, bytes, bytes.capacity(), status);
      status.throwExceptionIfNotOK();
      TF_Session session = TF_Session.newSession(handle, opts, status);
      status.throwExceptionIfNotOK();
      try {
        return WRAP.newInstance(graph, session.retainReference());
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("cannot wrap the session on " + target, e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot wrap the session on " + target, e);
      }
    } finally {
      invoke(CLOSE, ref);
    }
  }

  /** The graph's native handle, while a reference from {@link #reference} is open. */
  static Object reference(Graph graph) {
    return invoke(REF, graph);
  }

  static TF_Graph handle(Object reference) {
    return (TF_Graph) invoke(HANDLE, reference);
  }

  static void release(Object reference) {
    invoke(CLOSE, reference);
  }

  private static Object invoke(Method m, Object target) {
    try {
      return m.invoke(target);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach TensorFlow Java's " + m.getName() + "()", e);
    }
  }
}
