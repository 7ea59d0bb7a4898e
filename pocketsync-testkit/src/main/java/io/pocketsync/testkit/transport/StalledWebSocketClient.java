package io.pocketsync.testkit.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a raw socket that reads only when the test asks it to: a device that stopped reading, as
 * a hung app or a hostile peer does. Its socket's receive buffer is set small before connecting, so the kernel
 * buffers fill quickly and what the server sends next waits in the server's own memory, where its outbound bound
 * must stop it. No WebSocket library: a library client reads on its own thread.
 *
 * <p>Speaks just enough RFC 6455: the upgrade handshake, masked text frames out, unmasked frames in (pings
 * skipped, continuation frames joined).
 *
 * <p>Not thread-safe; one test thread uses it.
 */
public final class StalledWebSocketClient implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private long bytesRead;

    private StalledWebSocketClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * Connects and completes the upgrade handshake.
     *
     * @param uri the server's {@code ws://host:port/path}
     * @param receiveBufferBytes the socket's receive buffer, set before connecting (the kernel may round it up)
     * @return the connected client, which reads nothing until asked
     * @throws IOException when the connection or the handshake fails
     */
    public static StalledWebSocketClient connect(URI uri, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(receiveBufferBytes);
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            StalledWebSocketClient client = new StalledWebSocketClient(socket);
            client.handshake(uri);
            return client;
        }
        catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void handshake(URI uri) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("server closed during the upgrade handshake");
            }
            head.write(b);
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + response.lines().findFirst().orElse(response));
        }
    }

    /**
     * Sends one masked text frame.
     *
     * @param utf8 the payload
     * @throws IOException when the socket fails
     */
    public void sendText(byte[] utf8) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(utf8.length + 14);
        frame.write(0x81);
        if (utf8.length < 126) {
            frame.write(0x80 | utf8.length);
        }
        else if (utf8.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(utf8.length >>> 8);
            frame.write(utf8.length);
        }
        else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) utf8.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < utf8.length; i++) {
            frame.write(utf8[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /**
     * Reads until the next whole text or binary message, skipping control frames.
     *
     * @return the message's payload, or null once the server closed the connection
     * @throws IOException when the socket fails or times out (30 s)
     */
    public byte[] readMessage() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int first;
            try {
                first = in.readUnsignedByte();
            }
            catch (EOFException e) {
                return null;
            }
            int opcode = first & 0x0f;
            long length = in.readUnsignedByte() & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            }
            else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            bytesRead += 2 + payload.length;
            if (opcode == 0x8) {
                return null;
            }
            if (opcode >= 0x8) {
                continue; // ping, pong
            }
            message.write(payload);
            if ((first & 0x80) != 0) {
                return message.toByteArray();
            }
        }
    }

    /**
     * Frame bytes read so far (headers counted as two bytes).
     *
     * @return bytes
     */
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
