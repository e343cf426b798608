package dev.tollgate.web.ai;

import dev.tollgate.cloudflare.CloudflareSettings;
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
                                               @Value("${CLOUDFLARE_API_KEY:}") String apiKey) {
        if (!accountId.isBlank() && !apiKey.isBlank()) {
            log.info("Serving models from Cloudflare Workers AI at {} (account {}).", apiBase, accountId);
            return new CloudflareWorkersAi(CloudflareSettings.defaults(accountId, apiKey).withApiBase(apiBase));
        }
        log.warn("No Cloudflare credentials (CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_KEY): serving models from the "
                + "OFFLINE provider. Its answers are canned text, labelled \"provider\":\"offline\".");
        return new OfflineProvider(prices, tokens);
    }
}
