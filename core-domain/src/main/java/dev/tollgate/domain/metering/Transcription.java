package dev.tollgate.domain.metering;

import java.util.List;

/**
 * What a speech model heard: the text, its words with start and end times in seconds (as the provider wrote them,
 * decimal text), and WebVTT captions when the model gives them.
 */
public record Transcription(String text, Integer wordCount, List<Word> words, String vtt) {
    public record Word(String word, String start, String end) {
    }

    public Transcription {
        text = text == null ? "" : text;
        words = words == null ? List.of() : List.copyOf(words);
    }
}
