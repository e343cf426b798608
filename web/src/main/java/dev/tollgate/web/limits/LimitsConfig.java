package dev.tollgate.web.limits;

import dev.tollgate.web.ai.IdempotentCalls;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Where the limits apply: the AI endpoints that call a model (listing models is free), and login and
 * registration. Money-moving endpoints are not limited per user: a transfer or deposit is never refused for pace.
 */
@Configuration
@EnableConfigurationProperties(RateLimitProperties.class)
public class LimitsConfig implements WebMvcConfigurer {
    private final AiRateLimits aiLimits;
    private final RateLimitProperties properties;
    private final Clock clock;
    private final IdempotentCalls idempotent;

    public LimitsConfig(AiRateLimits aiLimits, RateLimitProperties properties, Clock clock,
                        IdempotentCalls idempotent) {
        this.aiLimits = aiLimits;
        this.properties = properties;
        this.clock = clock;
        this.idempotent = idempotent;
    }

    @org.springframework.context.annotation.Bean
    public SignInThrottle signInThrottle() {
        return new SignInThrottle(properties, clock);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new MeteredCallLimits(aiLimits,
                        (caller, key) -> idempotent.claimed(caller.payer().idempotencyScope(), key)))
                .addPathPatterns("/api/ai/**", "/v1/chat/completions", "/v1/embeddings",
                        "/client/v4/accounts/*/ai/run/**")
                .excludePathPatterns("/api/ai/models", "/api/ai/models/**");
        registry.addInterceptor(signInThrottle())
                .addPathPatterns("/api/auth/login", "/api/auth/register");
    }
}
