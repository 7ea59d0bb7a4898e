package io.pocketsync.transport.websocket;

import io.pocketsync.api.ErrorCode;
import org.java_websocket.framing.CloseFrame;

/**
 * Maps error codes to WebSocket close codes and back: an error closes with {@code 4000 + number}
 * (the private-use range), so a device learns the reason even when it missed the ERROR message.
 */
final class CloseCodes {
    private static final int BASE = 4000;

    private CloseCodes() {}

    static int toCloseCode(ErrorCode code) {
        return BASE + code.number();
    }

    static ErrorCode toErrorCode(int closeCode) {
        if (closeCode > BASE && closeCode < BASE + 1000) {
            String number = Integer.toString(closeCode - BASE);
            ErrorCode code = ErrorCode.fromWire(number);
            return code.name().equals("INTERNAL") && !number.equals("599") ? ErrorCode.TRANSPORT_CLOSED : code;
        }
        switch (closeCode) {
            case CloseFrame.GOING_AWAY:
                return ErrorCode.SHUTTING_DOWN;
            case CloseFrame.TOOBIG:
                return ErrorCode.MESSAGE_TOO_LARGE;
            case CloseFrame.PROTOCOL_ERROR:
            case CloseFrame.REFUSE:
            case CloseFrame.NO_UTF8:
                return ErrorCode.MALFORMED_MESSAGE;
            default:
                return ErrorCode.TRANSPORT_CLOSED;
        }
    }

    /** Close reasons must fit a control frame (123 bytes). */
    static String reason(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > 100 ? text.substring(0, 100) : text;
    }
}
