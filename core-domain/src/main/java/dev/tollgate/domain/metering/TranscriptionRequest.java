package dev.tollgate.domain.metering;

/** Speech to transcribe: the audio file's bytes as the client sent them. */
public record TranscriptionRequest(String model, byte[] audio) {
    public TranscriptionRequest {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
        if (audio == null || audio.length == 0) {
            throw new IllegalArgumentException("audio is required");
        }
    }
}
