package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboard at {@code /} (ADR 31): served to anyone, under a Content-Security-Policy that allows no inline
 * script, with every script and style it names served from this origin, and every API path its script calls
 * answering on this build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {
    private RunningTollgate app;
    private Http http;

    @BeforeAll
    void start() {
        app = RunningTollgate.start(Storage.embedded(Storage.tempDir()));
        http = app.http;
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void theDashboardIsServedAtTheRootUnderAPolicyWithNoInlineScript() {
        Http.Answer page = http.get("/", null);

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        String policy = page.response().headers().firstValue("Content-Security-Policy").orElse("");
        String scriptSrc = Pattern.compile("script-src ([^;]*)").matcher(policy).results().findFirst()
                .map(m -> m.group(1)).orElse("");
        assertThat(scriptSrc).isEqualTo("'self'");
        assertThat(policy).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        // no inline script or handler in the page: every <script> names a file, and no on...= attribute
        Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(page.raw());
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).contains("src=");
            assertThat(scripts.group(2)).isBlank();
        }
        assertThat(count).isPositive();
        assertThat(page.raw()).doesNotContainPattern("\\son[a-z]+\\s*=").doesNotContain("style=");
    }

    @Test
    void everyAssetThePageNamesIsServedAndTheApiAnswersJsonUnderThePolicyToo() {
        String page = http.get("/", null).raw();
        Matcher assets = Pattern.compile("(?:src|href)=\"(/[^\"]+\\.(?:js|css))\"").matcher(page);
        int count = 0;
        while (assets.find()) {
            count++;
            Http.Answer asset = http.get(assets.group(1), null);
            assertThat(asset.status()).as(assets.group(1)).isEqualTo(200);
            assertThat(asset.raw()).isNotBlank();
        }
        assertThat(count).isEqualTo(2);
        assertThat(http.get("/api/credits/balance", null).response().headers()
                .firstValue("Content-Security-Policy")).isPresent();
    }

    @Test
    void everyApiPathTheScriptCallsExistsOnThisBuild() {
        // given a logged-in admin (the dashboard shows the admin part to admins)
        String token = http.post("/api/auth/login", null, Http.json("email", RunningTollgate.ADMIN_EMAIL, "password",
                RunningTollgate.ADMIN_PASSWORD)).body().get("access_token").asText();
        String script = http.get("/dashboard.js", null).raw();
        Matcher paths = Pattern.compile("'(GET)', '(/api/[^'?]+)").matcher(script);
        List<String> called = paths.results().map(m -> m.group(2)).toList();
        assertThat(called).contains("/api/credits/balance", "/api/credits/budget", "/api/usage/stats",
                "/api/usage/recommendations", "/api/admin/projections");
        // then each answers 200 for a GET with the token
        for (String path : called) {
            Http.Answer answer = http.send("GET", path, token, null, Map.of());
            assertThat(answer.status()).as(path + " " + answer).isEqualTo(200);
        }
    }
}
