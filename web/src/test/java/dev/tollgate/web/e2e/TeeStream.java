package dev.tollgate.web.e2e;

import java.io.IOException;
import java.io.OutputStream;

/** Writes to the real console and to a buffer a test reads (to check what the app logged). */
final class TeeStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    TeeStream(OutputStream first, OutputStream second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
        first.write(b);
        second.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        first.write(b, off, len);
        second.write(b, off, len);
    }
}
