package app.wallet.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy a test can cut and restore, to make a real server unreachable without stopping
 * it: while cut, it closes every connection and refuses new ones, as a dead host would.
 */
public final class TcpProxy implements AutoCloseable {

    private final int port;
    private volatile int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    /** Listens on {@code port} now; connections wait until {@link #forwardTo(int)} names the target. */
    public TcpProxy(int port) {
        this.port = port;
        restore();
    }

    public void forwardTo(int targetPort) {
        this.targetPort = targetPort;
    }

    public int port() {
        return port;
    }

    /** Stops accepting and drops every open connection. */
    public synchronized void cut() {
        closeQuietly(server);
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void restore() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = socket;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerSocket accepting = server;
        daemon("proxy-accept-" + port, () -> {
            while (!accepting.isClosed()) {
                try {
                    Socket client = accepting.accept();
                    open.add(client);
                    daemon("proxy-connect-" + port, () -> connect(client));
                }
                catch (IOException e) {
                    // accept() fails once cut() closed the server socket: the loop ends.
                }
            }
        });
    }

    /** Waits for the target to be named (a broker advertises the proxy before it knows its own port). */
    private void connect(Socket client) {
        try {
            for (int i = 0; i < 600 && targetPort == 0; i++) {
                Thread.sleep(50);
            }
            Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            open.add(target);
            pipe(client, target);
            pipe(target, client);
        }
        catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pipe(Socket from, Socket to) {
        daemon("proxy-pipe-" + port, () -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            }
            catch (IOException e) {
                // One side closed: close the other too.
            }
            finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        cut();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        }
        catch (Exception e) {
            // already closed
        }
    }
}
