package io.pocketsync.transport.mqtt;

import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Says in words why an MQTT connect failed ("the MQTT broker at 127.0.0.1:1883 refused the login", "connection refused
 * at 127.0.0.1:9"): the device logs it on first contact. Stateless.
 */
final class MqttConnectFailures {
    private MqttConnectFailures() {}

    /** Why the broker could not be reached or refused us, in words: the device logs it on first contact. */
    static String describe(String broker, Throwable failure) {
        String at = broker.replaceFirst("^[a-z]+://", "");
        if (failure instanceof MqttException e) {
            switch (e.getReasonCode()) {
                case MqttException.REASON_CODE_FAILED_AUTHENTICATION:
                case MqttException.REASON_CODE_NOT_AUTHORIZED:
                    return "the MQTT broker at " + at + " refused the login (" + e.getMessage() + "): check"
                            + " transport.mqtt.username and the password";
                case MqttException.REASON_CODE_INVALID_CLIENT_ID:
                    return "the MQTT broker at " + at + " refused the client id (" + e.getMessage() + ")";
                default:
                    break;
            }
            Throwable cause = e.getCause();
            if (cause instanceof java.net.ConnectException) {
                return "connection refused at " + at + " (is the broker running, and listening on that port?)";
            }
            if (cause instanceof java.net.UnknownHostException) {
                return "unknown host in " + broker + " (no address for it)";
            }
            if (cause != null) {
                return "cannot connect to the MQTT broker at " + at + ": " + cause;
            }
        }
        return "cannot connect to the MQTT broker at " + at + ": " + failure;
    }
}
