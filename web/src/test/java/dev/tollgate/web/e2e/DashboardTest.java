package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    void everyControlHasALabelOfItsOwnAndOnlyTheLoginFormSpeaksOfEmailOrPassword() {
        // A browser test (or a screen reader user) finds a control by its label's words: two equal names make it
        // ambiguous. Playwright's getByLabel also matches by substring and counts hidden controls, so "Email" and
        // "Password" appear in the login form's labels only.
        String page = http.get("/", null).raw();
        List<String> names = new ArrayList<>();
        Set<String> labelled = new HashSet<>();
        Matcher labels = Pattern.compile("<label([^>]*)>(.*?)</label>", Pattern.DOTALL).matcher(page);
        while (labels.find()) {
            // a label's own words: a select's options or a textarea's text are not part of its name
            String words = labels.group(2).replaceAll("(?s)<(select|textarea)\\b.*?</\\1>", "")
                    .replaceAll("<[^>]+>", "").replaceAll("\\s+", " ").trim();
            String control = attribute(labels.group(1), "for")
                    .orElseGet(() -> attribute(labels.group(2), "id").orElse(""));
            assertThat(control).as("the control of label '%s'", words).isNotEmpty();
            labelled.add(control);
            names.add(words);
            String lower = words.toLowerCase(Locale.ROOT);
            if (lower.contains("email") || lower.contains("password")) {
                assertThat(control).as("label '%s'", words).startsWith("login-");
            }
        }
        int labelCount = names.size();
        Matcher buttons = Pattern.compile("<button([^>]*)>(.*?)</button>", Pattern.DOTALL).matcher(page);
        while (buttons.find()) {
            names.add(attribute(buttons.group(1), "aria-label")
                    .orElse(buttons.group(2).replaceAll("<[^>]+>", "").replaceAll("\\s+", " ").trim()));
        }
        Matcher ariaLabels = Pattern.compile("<(?!button)[a-z]+[^>]*\\saria-label=\"([^\"]*)\"").matcher(page);
        while (ariaLabels.find()) {
            names.add(ariaLabels.group(1));
        }
        assertThat(names).hasSizeGreaterThan(20);
        assertThat(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()).doesNotHaveDuplicates();
        // and, as those locators match a part of a name too, no label's name is found inside another label's, and
        // no button's inside another button's
        assertNoNameInsideAnother(names.subList(0, labelCount));
        assertNoNameInsideAnother(names.subList(labelCount, names.size()));
        assertThat(names).noneMatch(String::isBlank);
        // every field has a label, and every hint a field points to exists
        Matcher controls = Pattern.compile("<(?:input|select|textarea)[^>]*\\sid=\"([^\"]+)\"").matcher(page);
        while (controls.find()) {
            assertThat(labelled).as("labelled controls").contains(controls.group(1));
        }
        Matcher hints = Pattern.compile("aria-describedby=\"([^\"]+)\"").matcher(page);
        while (hints.find()) {
            assertThat(page).contains("id=\"" + hints.group(1) + "\"");
        }
    }

    private static java.util.Optional<String> attribute(String html, String name) {
        Matcher value = Pattern.compile("\\s" + name + "=\"([^\"]*)\"").matcher(html);
        return value.find() ? java.util.Optional.of(value.group(1)) : java.util.Optional.empty();
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

    private static void assertNoNameInsideAnother(List<String> names) {
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            assertThat(names).as("names containing '%s'", name)
                    .filteredOn(other -> other.toLowerCase(Locale.ROOT).contains(lower)).hasSize(1);
        }
    }
}
