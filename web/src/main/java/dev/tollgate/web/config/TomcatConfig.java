package dev.tollgate.web.config;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class TomcatConfig {

    /**
     * Cloudflare's SDK URL-encodes the model's slashes (@cf%2Fmeta%2F…), which Tomcat rejects by default with a
     * bare HTML 400. Decode them like any other character; the Workers AI run endpoint reads the model from the raw
     * URI and decodes it once, and the security firewall allows encoded slashes and nothing more.
     */
    /**
     * A client that asks "Expect: 100-continue" is told to send its body only when something reads it, so a body
     * refused for its declared size (BodyLimit) is never sent at all. Tomcat's default says "continue" at once.
     */
    @Bean
    public WebServerFactoryCustomizer<TomcatServletWebServerFactory> continueOnlyWhenRead() {
        return factory -> factory.addConnectorCustomizers(connector ->
                connector.setProperty("continueResponseTiming", "onRead"));
    }

    /** Errors Tomcat answers itself come in the one JSON error shape too (JsonErrorReportValve). */
    @Bean
    public WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            } else {
                throw new IllegalStateException("Tomcat's context has no host yet; its error reports stay HTML");
            }
        });
    }

    @Bean
    public WebServerFactoryCustomizer<TomcatServletWebServerFactory> decodeEncodedSlashes() {
        return factory -> factory.addConnectorCustomizers(connector ->
                connector.setEncodedSolidusHandling("decode"));
    }
}
