package dev.tollgate.web.workersai;

/** An error answered in Cloudflare's envelope: {"errors":[{"message","code"}],"success":false,…}. */
public class WorkersAiError extends RuntimeException {
    private final int status;
    private final int code;

    public WorkersAiError(int status, int code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public int code() {
        return code;
    }
}
