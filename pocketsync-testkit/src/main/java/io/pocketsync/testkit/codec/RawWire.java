package io.pocketsync.testkit.codec;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Minimal hand-written JSON and CBOR writers for test trees (see {@link WireTrees}), independent of
 * the codecs under test. Leaves: null, String, Long/Integer, BigInteger, Double, Boolean, byte[]
 * (a JSON blob object or a CBOR byte string) and {@link Nested}.
 */
public final class RawWire {
    private RawWire() {}

    /** {@code depth} arrays nested in each other around the value 1, written without recursion. */
    public record Nested(int depth) {}

    /**
     * Writes {@code tree} as JSON (UTF-8).
     *
     * @param tree maps, lists and scalars
     * @return the bytes
     */
    public static byte[] json(Object tree) {
        StringBuilder out = new StringBuilder();
        writeJson(out, tree);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code tree} as CBOR.
     *
     * @param tree maps, lists and scalars
     * @return the bytes
     */
    public static byte[] cbor(Object tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeCbor(out, tree);
        return out.toByteArray();
    }

    /**
     * Writes {@code tree} in the format of a codec named {@code json} or {@code cbor}; null for other codecs.
     *
     * @param codecName the codec's name
     * @param tree maps, lists and scalars
     * @return the bytes, or null
     */
    public static byte[] forCodec(String codecName, Object tree) {
        switch (codecName) {
            case "json": return json(tree);
            case "cbor": return cbor(tree);
            default: return null;
        }
    }

    private static void writeJson(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        }
        else if (value instanceof String) {
            jsonString(out, (String) value);
        }
        else if (value instanceof Double) {
            double d = (Double) value;
            out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Double.toString(d));
        }
        else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        }
        else if (value instanceof byte[]) {
            out.append("{\"$b\":\"").append(Base64.getEncoder().encodeToString((byte[]) value)).append("\"}");
        }
        else if (value instanceof Nested) {
            int depth = ((Nested) value).depth();
            out.append("[".repeat(depth)).append('1').append("]".repeat(depth));
        }
        else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                jsonString(out, (String) entry.getKey());
                out.append(':');
                writeJson(out, entry.getValue());
            }
            out.append('}');
        }
        else if (value instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object item : (List<?>) value) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeJson(out, item);
            }
            out.append(']');
        }
        else {
            throw new IllegalArgumentException("cannot write " + value.getClass());
        }
    }

    private static void jsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            }
            else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            }
            else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static void writeCbor(ByteArrayOutputStream out, Object value) {
        if (value == null) {
            out.write(0xF6);
        }
        else if (value instanceof Boolean) {
            out.write((Boolean) value ? 0xF5 : 0xF4);
        }
        else if (value instanceof Long || value instanceof Integer) {
            long n = ((Number) value).longValue();
            if (n >= 0) {
                head(out, 0, n);
            }
            else {
                head(out, 1, -1 - n);
            }
        }
        else if (value instanceof BigInteger) {
            BigInteger big = (BigInteger) value;
            out.write(big.signum() >= 0 ? 0xC2 : 0xC3);
            byte[] magnitude = (big.signum() >= 0 ? big : big.negate().subtract(BigInteger.ONE)).toByteArray();
            head(out, 2, magnitude.length);
            out.writeBytes(magnitude);
        }
        else if (value instanceof Double) {
            out.write(0xFB);
            long bits = Double.doubleToRawLongBits((Double) value);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift) & 0xFF);
            }
        }
        else if (value instanceof String) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            head(out, 3, utf8.length);
            out.writeBytes(utf8);
        }
        else if (value instanceof byte[]) {
            head(out, 2, ((byte[]) value).length);
            out.writeBytes((byte[]) value);
        }
        else if (value instanceof Nested) {
            for (int i = 0; i < ((Nested) value).depth(); i++) {
                out.write(0x81);
            }
            out.write(0x01);
        }
        else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            head(out, 5, map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                writeCbor(out, entry.getKey());
                writeCbor(out, entry.getValue());
            }
        }
        else if (value instanceof List) {
            List<?> list = (List<?>) value;
            head(out, 4, list.size());
            for (Object item : list) {
                writeCbor(out, item);
            }
        }
        else {
            throw new IllegalArgumentException("cannot write " + value.getClass());
        }
    }

    private static void head(ByteArrayOutputStream out, int major, long n) {
        int type = major << 5;
        if (n >= 0 && n < 24) {
            out.write(type | (int) n);
        }
        else if (n >= 0 && n <= 0xFF) {
            out.write(type | 24);
            out.write((int) n);
        }
        else if (n >= 0 && n <= 0xFFFF) {
            out.write(type | 25);
            out.write((int) (n >>> 8));
            out.write((int) n & 0xFF);
        }
        else if (n >= 0 && n <= 0xFFFFFFFFL) {
            out.write(type | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (n >>> shift) & 0xFF);
            }
        }
        else {
            // n is read as unsigned 64-bit (Long.MIN_VALUE's CBOR argument is 2^63 - 1, still positive).
            out.write(type | 27);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (n >>> shift) & 0xFF);
            }
        }
    }
}
