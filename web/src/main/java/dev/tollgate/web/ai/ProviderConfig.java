package dev.tollgate.web.ai;

import dev.tollgate.cloudflare.CloudflareSettings;
import dev.tollgate.web.config.TollgateProperties;
import dev.tollgate.cloudflare.CloudflareWorkersAi;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.PriceBook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the provider: Cloudflare when credentials are set, otherwise the clearly labelled offline provider. */
@Configuration
public class ProviderConfig {
    private static final Logger log = LoggerFactory.getLogger(ProviderConfig.class);

    @Bean
    public PriceBook priceBook(java.time.Clock clock) {
        return PriceBook.cloudflareList(clock);
    }

    /** On PostgreSQL other nodes may change prices too; each lookup then checks the price book's stream (ADR 28). */
    @Bean
    public PriceBookFeed priceBookFeed(org.axonframework.eventsourcing.eventstore.EventStore events,
                                       PriceBook prices, @Value("${spring.datasource.url}") String databaseUrl,
                                       org.springframework.jdbc.core.JdbcTemplate jdbc) {
        return new PriceBookFeed(events, prices, databaseUrl.startsWith("jdbc:postgresql:") ? jdbc : null);
    }

    @Bean
    public InferenceProvider inferenceProvider(PriceBook prices, TokenEstimator tokens,
                                               @Value("${CLOUDFLARE_API_BASE:" + CloudflareSettings.DEFAULT_API_BASE + "}") String apiBase,
                                               @Value("${CLOUDFLARE_ACCOUNT_ID:}") String accountId,
                                               @Value("${CLOUDFLARE_API_KEY:}") String apiKey,
                                               TollgateProperties properties) {
        if (!accountId.isBlank() && !apiKey.isBlank()) {
            log.info("Serving models from Cloudflare Workers AI at {} (account {}).", apiBase, accountId);
            CloudflareSettings settings = CloudflareSettings.defaults(accountId, apiKey).withApiBase(apiBase);
            if (properties.holdTimeoutSeconds() < settings.longestCall().toSeconds()) {
                // Said once, at start: such a call is charged when it ends from what is then available (ADR 42).
                log.warn("TOLLGATE_HOLD_TIMEOUT_SECONDS={} is shorter than the longest call to Workers AI ({} s, retries "
                        + "included): a call that runs that long outlives its hold, and is then charged only from what "
                        + "the balance holds when it ends.", properties.holdTimeoutSeconds(),
                        settings.longestCall().toSeconds());
            }
            return new CloudflareWorkersAi(settings);
        }
        if (accountId.isBlank() != apiKey.isBlank()) {
            // half a configuration is almost always a typo; said loudly, since users are charged for canned answers
            log.warn("{} is set but {} is not: both are needed to call Cloudflare Workers AI.",
                    accountId.isBlank() ? "CLOUDFLARE_API_KEY" : "CLOUDFLARE_ACCOUNT_ID",
                    accountId.isBlank() ? "CLOUDFLARE_ACCOUNT_ID" : "CLOUDFLARE_API_KEY");
        }
        log.warn("No Cloudflare credentials (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_KEY): serving models from the "
                + "OFFLINE provider. Its answers are canned text, labelled \"provider\":\"offline\".");
        return new OfflineProvider(prices, tokens);
    }
}
