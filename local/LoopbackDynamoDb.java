/*
 * Starts the official DynamoDB Local listening on 127.0.0.1 only, and ties its life to its parent.
 *
 * DynamoDB Local has no bind option: its Jetty server listens on every interface, so anyone on the
 * same network could read and write the local table (secrets, link hashes, task tokens). This
 * launcher builds the server with the jar's own command-line entry, finds the Jetty connectors by
 * reflection and sets their host to 127.0.0.1 before anything listens. If that cannot be done (a
 * jar whose internals changed), it refuses to start rather than listen everywhere.
 *
 * It also exits when its standard input closes: the runtime holds the other end of that pipe, so
 * when the runtime dies for any reason (even SIGKILL), the JVM goes with it and no orphan keeps the
 * port or the data files.
 *
 * Run in source-file mode (JEP 330, needs the jdk.compiler module) with the jar on the class path:
 *   java -cp DynamoDBLocal.jar LoopbackDynamoDb.java -port N [-inMemory | -dbPath DIR] ...
 * Prints "listening 127.0.0.1:<port>" on stdout once it accepts connections.
 * Only reflection is used, so it compiles without the jar's classes.
 */
import java.lang.reflect.Field;
import java.lang.reflect.Method;

public class LoopbackDynamoDb {
  private static final String HOST = "127.0.0.1";
  private static final String[] RUNNERS = {
    "software.amazon.dynamodb.services.local.main.ServerRunner",
    "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
  };

  public static void main(String[] args) throws Exception {
    watchParent();
    Object proxy = createServer(args);
    Object jetty = jettyServer(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors == null || connectors.length == 0) fail("DynamoDB Local has no connector to bind");
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, HOST);
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    for (Object connector : connectors) {
      Object host = connector.getClass().getMethod("getHost").invoke(connector);
      if (!HOST.equals(host)) fail("DynamoDB Local is not bound to " + HOST + " (" + host + ")");
    }
    int port = (Integer) connectors[0].getClass().getMethod("getLocalPort").invoke(connectors[0]);
    System.out.println("listening " + HOST + ":" + port);
    System.out.flush();
    proxy.getClass().getMethod("join").invoke(proxy);
  }

  /** Exits when the parent's end of stdin closes (the parent exited, however it died). */
  private static void watchParent() {
    Thread watcher =
        new Thread(
            () -> {
              try {
                byte[] buffer = new byte[256];
                while (System.in.read(buffer) >= 0) {
                  // The parent writes nothing; anything read is ignored.
                }
              } catch (Exception ignored) {
                // A broken pipe means the same as end of input.
              }
              // Give shutdown hooks a moment, then make sure the JVM is gone.
              Thread halt = new Thread(() -> {
                try {
                  Thread.sleep(3000);
                } catch (InterruptedException ignored) {
                  // exiting anyway
                }
                Runtime.getRuntime().halt(0);
              });
              halt.setDaemon(true);
              halt.start();
              System.exit(0);
            },
            "parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Object createServer(String[] args) throws Exception {
    for (String name : RUNNERS) {
      Class<?> runner;
      try {
        runner = Class.forName(name);
      } catch (ClassNotFoundException e) {
        continue;
      }
      Method create = runner.getMethod("createServerFromCommandLineArgs", String[].class);
      return create.invoke(null, (Object) args);
    }
    fail("DynamoDB Local's ServerRunner was not found on the class path");
    return null;
  }

  /** The Jetty server inside DynamoDB Local's proxy server (a field of type ...jetty.server.Server). */
  private static Object jettyServer(Object proxy) throws Exception {
    for (Class<?> c = proxy.getClass(); c != null; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.getType().getName().equals("org.eclipse.jetty.server.Server")) {
          f.setAccessible(true);
          Object server = f.get(proxy);
          if (server != null) return server;
        }
      }
    }
    fail("DynamoDB Local's Jetty server was not found");
    return null;
  }

  private static void fail(String message) {
    System.err.println(message + ": refusing to listen on every interface");
    System.exit(2);
  }
}
