package dev.tollgate.web.openai;

/** An error answered in OpenAI's shape: {"error":{"message","type","param","code"}}. */
public class OpenAiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;

    public OpenAiError(int status, String type, String message, String param) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }
}
