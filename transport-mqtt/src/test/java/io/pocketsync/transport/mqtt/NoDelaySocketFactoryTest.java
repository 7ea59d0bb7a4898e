package io.pocketsync.transport.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {
    @Test
    void socketsToABrokerSendAtOnce() throws Exception {
        try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket unconnected = NoDelaySocketFactory.INSTANCE.createSocket()) {
            // Paho creates the socket unconnected and connects it itself
            unconnected.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.getLocalPort()));
            assertThat(unconnected.getTcpNoDelay()).isTrue();
            try (Socket connected = NoDelaySocketFactory.INSTANCE.createSocket(InetAddress.getLoopbackAddress(), broker.getLocalPort())) {
                assertThat(connected.getTcpNoDelay()).isTrue();
            }
        }
    }

    @Test
    void onlyPlainTcpBrokersGetIt() {
        assertThat(NoDelaySocketFactory.forUri("tcp://127.0.0.1:1883")).isSameAs(NoDelaySocketFactory.INSTANCE);
        assertThat(NoDelaySocketFactory.forUri("TCP://broker:1883")).isSameAs(NoDelaySocketFactory.INSTANCE);
        // TLS keeps Paho's own SSL socket factory
        assertThat(NoDelaySocketFactory.forUri("ssl://broker:8883")).isNull();
    }
}
