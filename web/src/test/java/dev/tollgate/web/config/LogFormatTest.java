package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogFormatTest {

    @Test
    void jsonMeansElasticCommonSchemaAndNamedFormatsPassThrough() {
        assertThat(LogFormat.structuredFormat("json")).isEqualTo("ecs");
        assertThat(LogFormat.structuredFormat(" JSON ")).isEqualTo("ecs");
        assertThat(LogFormat.structuredFormat("logstash")).isEqualTo("logstash");
        assertThat(LogFormat.structuredFormat("gelf")).isEqualTo("gelf");
    }

    @Test
    void unsetOrTextKeepsTheHumanReadablePattern() {
        assertThat(LogFormat.structuredFormat(null)).isNull();
        assertThat(LogFormat.structuredFormat("")).isNull();
        assertThat(LogFormat.structuredFormat("text")).isNull();
    }

    @Test
    void anUnknownFormatStopsTheStartRatherThanLoggingSomethingElse() {
        assertThatThrownBy(() -> LogFormat.structuredFormat("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TOLLGATE_LOG_FORMAT");
    }
}
