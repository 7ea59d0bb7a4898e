package io.pocketsync.benchmarks;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The fan-out benchmark's devices, in a process of their own so that the server's heap is measured without them
 * ({@link ConnectionsBenchmark} starts it). N WebSocket clients on two NIO selector threads, the same for PocketSync
 * and the raw baseline: a minimal RFC 6455 client (handshake, masked text frames out, unmasked frames in, pings
 * answered). Each client sends its opening text; once every client has received a message containing
 * {@code welcomeMarker} it prints {@code READY} and waits for {@code GO} on stdin. Then, round after round, client 0
 * sends the round's message and every other client records when a message containing the round's marker arrives.
 * Nanosecond latencies go to {@code samplesFile}, the warm-up round left out; the last stdout line is
 * {@code DONE <errors>}.
 *
 * <p>Arguments: {@code uri count rounds welcomeMarker errorMarker samplesFile}, then one line on stdin per round
 * after {@code GO}: the marker, a tab, and the text client 0 sends; and before {@code GO}, one opening text per
 * client is made by replacing {@code {i}} in the first stdin line.
 */
final class FanOutClients {
    private static final int IN_FLIGHT_HANDSHAKES = 32; // below the servers' listen backlog (Java-WebSocket: 50)

    private final URI uri;
    private final String welcomeMarker;
    private final String errorMarker;
    private final Loop[] loops = new Loop[2];
    private final List<Client> clients = new ArrayList<>();
    private final Semaphore handshakes = new Semaphore(IN_FLIGHT_HANDSHAKES);
    private final AtomicInteger errors = new AtomicInteger();
    private volatile CountDownLatch welcomed;
    private volatile Round round;

    private FanOutClients(URI uri, String welcomeMarker, String errorMarker) {
        this.uri = uri;
        this.welcomeMarker = welcomeMarker;
        this.errorMarker = errorMarker;
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int count = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        FanOutClients fleet = new FanOutClients(uri, args[3], args[4]);
        Path samplesFile = Path.of(args[5]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String opening = in.readLine();
        fleet.connect(count, i -> opening.replace("{i}", Integer.toString(i)));
        System.out.println("READY");
        System.out.flush();
        if (!"GO".equals(in.readLine())) {
            throw new IllegalStateException("expected GO");
        }
        List<Long> samples = new ArrayList<>();
        for (int r = 0; r < rounds + 1; r++) {
            String[] line = in.readLine().split("\t", 2);
            long[] latencies = fleet.round(line[0], line[1]);
            if (r > 0) {
                for (long latency : latencies) {
                    samples.add(latency);
                }
            }
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(samplesFile))) {
            for (long sample : samples) {
                out.writeLong(sample);
            }
        }
        System.out.println("DONE " + fleet.errors.get());
        System.out.flush();
        System.exit(0);
    }

    private void connect(int count, IntFunction<String> opening) throws Exception {
        welcomed = new CountDownLatch(count);
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop();
            Thread thread = new Thread(loops[i], "fanout-client-" + i);
            thread.setDaemon(true);
            thread.start();
        }
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
        for (int i = 0; i < count; i++) {
            if (!handshakes.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("handshakes stalled at client " + i);
            }
            Client client = new Client(i, opening.apply(i));
            clients.add(client);
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.channel = channel;
            channel.connect(address);
            loops[i % loops.length].register(client);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!welcomed.await(100, TimeUnit.MILLISECONDS)) {
            if (errors.get() > 0 || System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + (count - welcomed.getCount()) + " of " + count
                        + " clients welcomed, " + errors.get() + " closed (see above)");
            }
        }
    }

    private long[] round(String marker, String text) throws Exception {
        Round current = new Round(marker, clients.size() - 1);
        round = current;
        current.sent = System.nanoTime();
        clients.get(0).sendText(text);
        if (!current.delivered.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("round " + marker + " reached " + (clients.size() - 1 - current.delivered.getCount())
                    + " of " + (clients.size() - 1) + " clients");
        }
        return current.latencies.stream().mapToLong(Long::longValue).toArray();
    }

    /** One broadcast: what every client but the sender waits for, and when each got it. */
    private static final class Round {
        final String marker;
        final CountDownLatch delivered;
        final Queue<Long> latencies = new ConcurrentLinkedQueue<>();
        volatile long sent;

        Round(String marker, int expected) {
            this.marker = marker;
            this.delivered = new CountDownLatch(expected);
        }
    }

    /** One selector thread and the clients registered with it. */
    private final class Loop implements Runnable {
        private final Selector selector;
        private final Queue<Client> registrations = new ConcurrentLinkedQueue<>();
        private final ByteBuffer read = ByteBuffer.allocateDirect(64 * 1024);

        Loop() throws IOException {
            this.selector = Selector.open();
        }

        void register(Client client) {
            registrations.add(client);
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    selector.select();
                    for (Client client; (client = registrations.poll()) != null; ) {
                        client.channel.register(selector, SelectionKey.OP_CONNECT, client);
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        Client client = (Client) key.attachment();
                        try {
                            if (key.isConnectable()) {
                                client.channel.finishConnect();
                                client.writeFully(ByteBuffer.wrap(client.handshakeRequest()));
                                key.interestOps(SelectionKey.OP_READ);
                            }
                            else if (key.isReadable()) {
                                read.clear();
                                if (client.channel.read(read) < 0) {
                                    key.cancel();
                                    client.closed();
                                    continue;
                                }
                                read.flip();
                                client.received(read);
                            }
                        }
                        catch (IOException e) {
                            key.cancel();
                            if (!client.closing) {
                                System.err.println("fan-out client " + client.index + ": " + e);
                            }
                            client.closed();
                        }
                    }
                    selector.selectedKeys().clear();
                }
            }
            catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One device: its socket, what it has read of an unfinished frame, and its state. */
    private final class Client {
        final int index;
        final String opening;
        SocketChannel channel;
        /** Bytes of a frame (or of the handshake response) not complete yet; null when none. */
        private byte[] pending;
        private boolean upgraded;
        private boolean welcomeSeen;
        private volatile boolean closing;

        Client(int index, String opening) {
            this.index = index;
            this.opening = opening;
        }

        byte[] handshakeRequest() {
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return ("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        void received(ByteBuffer read) throws IOException {
            byte[] data;
            if (pending == null) {
                data = new byte[read.remaining()];
                read.get(data);
            }
            else {
                data = new byte[pending.length + read.remaining()];
                System.arraycopy(pending, 0, data, 0, pending.length);
                read.get(data, pending.length, read.remaining());
                pending = null;
            }
            int at = 0;
            if (!upgraded) {
                int end = headerEnd(data);
                if (end < 0) {
                    pending = data;
                    return;
                }
                if (!new String(data, 0, Math.min(end, 12), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
                    throw new IOException("handshake refused");
                }
                upgraded = true;
                handshakes.release();
                at = end;
                sendText(opening);
            }
            while (at < data.length) {
                int used = frame(data, at);
                if (used == 0) {
                    pending = java.util.Arrays.copyOfRange(data, at, data.length);
                    return;
                }
                at += used;
            }
        }

        /** Handles the frame at {@code at}; returns its length, or 0 when it is not complete yet. */
        private int frame(byte[] data, int at) throws IOException {
            if (data.length - at < 2) {
                return 0;
            }
            int opcode = data[at] & 0x0F;
            boolean masked = (data[at + 1] & 0x80) != 0;
            long length = data[at + 1] & 0x7F;
            int header = 2;
            if (length == 126) {
                if (data.length - at < 4) {
                    return 0;
                }
                length = ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
                header = 4;
            }
            else if (length == 127) {
                if (data.length - at < 10) {
                    return 0;
                }
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (data[at + 2 + i] & 0xFF);
                }
                header = 10;
            }
            int maskAt = at + header;
            if (masked) {
                header += 4;
            }
            if (data.length - at < header + length) {
                return 0;
            }
            byte[] payload = java.util.Arrays.copyOfRange(data, at + header, at + header + (int) length);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= data[maskAt + (i & 3)];
                }
            }
            long now = System.nanoTime();
            switch (opcode) {
                case 0x0, 0x1, 0x2 -> message(new String(payload, StandardCharsets.UTF_8), now);
                case 0x8 -> {
                    System.err.println("fan-out client " + index + ": closed by the server: " + new String(payload,
                            StandardCharsets.UTF_8));
                    closed();
                }
                case 0x9 -> send(0xA, payload);
                default -> { } // a pong
            }
            return header + (int) length;
        }

        private void message(String text, long now) {
            if (!welcomeSeen && text.contains(welcomeMarker)) {
                welcomeSeen = true;
                welcomed.countDown();
                return;
            }
            if (text.contains(errorMarker)) {
                errors.incrementAndGet();
                return;
            }
            Round current = round;
            if (index != 0 && current != null && text.contains(current.marker)) {
                current.latencies.add(now - current.sent);
                current.delivered.countDown();
            }
        }

        void closed() {
            if (!closing) {
                closing = true;
                errors.incrementAndGet();
                if (!upgraded) {
                    handshakes.release();
                }
            }
        }

        void sendText(String text) throws IOException {
            send(0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        private synchronized void send(int opcode, byte[] payload) throws IOException {
            int header = payload.length < 126 ? 2 : payload.length < 65536 ? 4 : 10;
            ByteBuffer frame = ByteBuffer.allocate(header + 4 + payload.length);
            frame.put((byte) (0x80 | opcode));
            if (header == 2) {
                frame.put((byte) (0x80 | payload.length));
            }
            else if (header == 4) {
                frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
            }
            else {
                frame.put((byte) (0x80 | 127)).putLong(payload.length);
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.put(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.put((byte) (payload[i] ^ mask[i & 3]));
            }
            frame.flip();
            writeFully(frame);
        }

        synchronized void writeFully(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) == 0) {
                    Thread.onSpinWait();
                }
            }
        }

        private static int headerEnd(byte[] data) {
            for (int i = 3; i < data.length; i++) {
                if (data[i - 3] == '\r' && data[i - 2] == '\n' && data[i - 1] == '\r' && data[i] == '\n') {
                    return i + 1;
                }
            }
            return -1;
        }
    }
}
