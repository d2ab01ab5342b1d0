package app.wallet.store;

import java.nio.charset.StandardCharsets;

/** Redis Cluster's key slot: CRC16 (XMODEM) of the key, modulo 16,384, as the cluster specification fixes it. */
final class Crc16 {

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Crc16() {
    }

    /** The slot of a hash tag's content (the text between the braces). */
    static int slot(String tagContent) {
        int crc = 0;
        for (byte b : tagContent.getBytes(StandardCharsets.UTF_8)) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ b) & 0xFF]) & 0xFFFF;
        }
        return crc & 16383;
    }
}
