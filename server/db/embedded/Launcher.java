import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tiny launcher for mongo-java-server (Umbrella Newsroom dev/test database).
 *
 * <pre>
 *   java -cp "classes:lib/*" Launcher [--backend memory|h2] [--file PATH] [--cache-mb 64] [--host 127.0.0.1]
 *                                     [--port 0] [--server-version 4.4|3.6|4.0|4.2|5.0|6.0|7.0] [--ignore-stdin]
 *                                     [--no-serialize]
 * </pre>
 *
 * Prints exactly one line "LISTENING host:port" to stdout once bound. Shuts down cleanly
 * (H2 store committed and closed) on stdin EOF (so it dies with its parent) and on SIGTERM. With the h2
 * backend every acknowledged write is already in the file (IndexedH2Backend), so kill -9 loses nothing
 * acknowledged; --cache-mb sizes its page cache, and --no-serialize is refused for it.
 */
public final class Launcher {

    private Launcher() {
    }

    private static void usage(String error) {
        System.err.println("Launcher: " + error);
        System.err.println("usage: Launcher [--backend memory|h2] [--file PATH] [--cache-mb N] [--host HOST] [--port N]"
                + " [--server-version 4.4|3.6|4.0|4.2|5.0|6.0|7.0] [--ignore-stdin] [--no-serialize]");
        System.exit(2);
    }

    /**
     * Handshakes and pings read no data, so they skip the lock: the driver's heartbeat must not queue
     * behind a long report query, or a busy server would look down (and the app answer 503).
     */
    private static final Set<String> LOCK_FREE_COMMANDS = Set.of("hello", "isMaster", "ismaster", "ping");

    /**
     * Runs every backend call under one lock. mongo-java-server handles connections on several
     * threads and its implicit collection creation is racy (e.g. mongoose's createCollection /
     * createIndex racing the first insert fails on H2 with "Document with key 'db.coll' already
     * existed in H2Collection(db.system.namespaces)"). A dev/test database does not need the
     * parallelism, so correctness wins. The H2 backend also relies on it: it commits after each command,
     * which must not capture half of another. Also answers the "hello" handshake command (as isMaster).
     */
    /**
     * Commands that take at least this long (run with -Dumbrella.db.slowMs=N) are printed to stderr with
     * their filter: how to find the query an index does not answer. Off (-1) by default.
     */
    private static final long SLOW_COMMAND_MS = Long.getLong("umbrella.db.slowMs", -1);

    private static void logIfSlow(long startedNanos, String method, Object[] methodArgs) {
        long ms = (System.nanoTime() - startedNanos) / 1_000_000;
        if (ms < SLOW_COMMAND_MS) {
            return;
        }
        Object what = method;
        if (methodArgs != null && methodArgs.length == 1 && methodArgs[0] instanceof MongoMessage message) {
            what = message.getDocument();
        } else if (methodArgs != null && methodArgs.length == 4) {
            what = methodArgs[2] + " " + methodArgs[3];
        }
        String text = String.valueOf(what);
        System.err.println("slow command " + ms + " ms: " + (text.length() > 600 ? text.substring(0, 600) + " …" : text));
    }

    private static MongoBackend serialized(MongoBackend delegate, Object lock) {
        MongoBackend[] self = new MongoBackend[1];
        self[0] = (MongoBackend) Proxy.newProxyInstance(MongoBackend.class.getClassLoader(),
                new Class<?>[] {MongoBackend.class}, (proxy, method, methodArgs) -> {
                    Object result;
                    // mongo-java-server only knows the legacy isMaster; Node driver 7 sends hello.
                    boolean hello = false;
                    String commandName = null;
                    if (method.getName().equals("handleMessage") && methodArgs != null && methodArgs.length == 1
                            && methodArgs[0] instanceof MongoMessage message) {
                        Document command = message.getDocument();
                        if (!command.isEmpty()) {
                            commandName = command.keySet().iterator().next();
                        }
                        if ("hello".equals(commandName)) {
                            hello = true;
                            Document copy = command.clone();
                            command.clear();
                            command.put("isMaster", copy.get("hello"));
                            copy.forEach((key, value) -> {
                                if (!key.equals("hello")) {
                                    command.put(key, value);
                                }
                            });
                        }
                    } else if (method.getName().equals("handleCommand") && methodArgs != null
                            && methodArgs.length == 4) {
                        commandName = String.valueOf(methodArgs[2]);
                        if ("hello".equals(commandName)) {
                            hello = true;
                            methodArgs = methodArgs.clone();
                            methodArgs[2] = "isMaster";
                        }
                    }
                    try {
                        if (commandName != null && LOCK_FREE_COMMANDS.contains(commandName)) {
                            result = method.invoke(delegate, methodArgs);
                        } else {
                            synchronized (lock) {
                                long started = SLOW_COMMAND_MS >= 0 ? System.nanoTime() : 0;
                                result = method.invoke(delegate, methodArgs);
                                if (SLOW_COMMAND_MS >= 0) {
                                    logIfSlow(started, method.getName(), methodArgs);
                                }
                            }
                        }
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (hello && result instanceof Document response && response.containsKey("ismaster")) {
                        response.put("isWritablePrimary", response.get("ismaster"));
                        response.remove("ismaster");
                    }
                    return result == delegate ? self[0] : result;
                });
        return self[0];
    }

    /**
     * The MongoDB version reported to clients. mongo-java-server's own MONGO_5_0 reports
     * maxWireVersion 8 (= MongoDB 4.2); Node driver 6.x (mongoose 8) needs wire version &gt;= 8
     * and driver 7.x needs &gt;= 9 (MongoDB 4.4), hence the default "4.4" (wire version 9).
     */
    static MongoVersion mongoVersion(String name) {
        int wire = switch (name) {
            case "3.6" -> 6;
            case "4.0" -> 7;
            case "4.2" -> 8;
            case "4.4" -> 9;
            case "5.0" -> 13;
            case "6.0" -> 17;
            case "7.0" -> 21;
            default -> -1;
        };
        if (wire < 0) {
            return null;
        }
        if (name.equals("3.6")) {
            return ServerVersion.MONGO_3_6;
        }
        if (name.equals("4.0")) {
            return ServerVersion.MONGO_4_0;
        }
        String[] parts = name.split("\\.");
        List<Integer> versionArray = List.of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 0);
        return new MongoVersion() {
            @Override
            public List<Integer> getVersionArray() {
                return versionArray;
            }

            @Override
            public int getWireVersion() {
                return wire;
            }
        };
    }

    public static void main(String[] args) {
        // Must happen before any SLF4J logger is created.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");

        String backendName = "memory";
        String file = null;
        String host = "127.0.0.1";
        int port = 0;
        int cacheMb = 64;
        String serverVersion = "4.4";
        boolean watchStdin = true;
        boolean noSerialize = false;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--ignore-stdin")) {
                watchStdin = false;
                continue;
            }
            if (arg.equals("--no-serialize")) {
                noSerialize = true;
                continue;
            }
            if (i + 1 >= args.length) {
                usage("missing value for " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--backend" -> backendName = value;
                case "--file" -> file = value;
                case "--host" -> host = value;
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        usage("invalid port: " + value);
                    }
                }
                case "--server-version" -> serverVersion = value;
                case "--cache-mb" -> {
                    try {
                        cacheMb = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        usage("invalid --cache-mb: " + value);
                    }
                }
                default -> usage("unknown argument: " + arg);
            }
        }

        MongoVersion version = mongoVersion(serverVersion);
        if (version == null) {
            usage("unsupported --server-version: " + serverVersion);
        }

        MongoBackend backend;
        switch (backendName) {
            case "memory" -> backend = new IndexedMemoryBackend();
            case "h2" -> {
                if (file == null) {
                    usage("--file is required for --backend h2");
                }
                File dbFile = new File(file).getAbsoluteFile();
                File parent = dbFile.getParentFile();
                if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
                    System.err.println("Launcher: cannot create directory " + parent);
                    System.exit(1);
                }
                if (noSerialize) {
                    usage("--no-serialize cannot be used with --backend h2 (commits follow whole commands)");
                }
                backend = new IndexedH2Backend(dbFile.getPath(), cacheMb);
            }
            default -> {
                usage("unknown backend: " + backendName);
                return;
            }
        }
        backend.version(version);
        Object lock = new Object();
        if (backend instanceof IndexedH2Backend h2) {
            ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "umbrella-db-housekeeping");
                thread.setDaemon(true);
                return thread;
            });
            housekeeping.scheduleWithFixedDelay(() -> {
                try {
                    synchronized (lock) {
                        h2.maintain();
                    }
                } catch (RuntimeException e) {
                    System.err.println("Launcher: housekeeping failed: " + e);
                }
            }, 60, 60, TimeUnit.SECONDS);
        }
        if (!noSerialize) {
            backend = serialized(backend, lock);
        }

        MongoServer server = new MongoServer(backend);
        AtomicBoolean stopped = new AtomicBoolean(false);
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                try {
                    // shutdownNow closes the channels, then backend.close() (H2: commit + close the MVStore).
                    server.shutdownNow();
                } catch (RuntimeException e) {
                    System.err.println("Launcher: error during shutdown: " + e);
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "umbrella-db-shutdown"));

        InetSocketAddress address;
        try {
            server.bind(host, port);
            address = server.getLocalAddress();
        } catch (RuntimeException e) {
            System.err.println("Launcher: failed to bind " + host + ":" + port + ": " + e);
            System.exit(1);
            return;
        }

        System.out.println("LISTENING " + host + ":" + address.getPort());
        System.out.flush();

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                InputStream in = System.in;
                byte[] buffer = new byte[1024];
                try {
                    while (in.read(buffer) >= 0) {
                        // ignore input; we only wait for EOF
                    }
                } catch (IOException e) {
                    // treat as EOF
                }
                System.exit(0);
            }, "umbrella-db-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
    }
}
