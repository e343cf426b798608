package dev.tollgate.domain.metering;

/** A model a provider offers: its id ("@cf/meta/llama-3.1-8b-instruct"), display name and task. */
public record ModelInfo(String id, String name, String task) {
}
