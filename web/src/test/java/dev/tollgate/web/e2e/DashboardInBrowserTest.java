package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard (ADR 31) driven in a real browser: headless Chromium through the machine's chromedriver, against
 * the real application (one start for the class, embedded storage, the offline provider). Controls are found as a
 * person finds them, by their label's text or a button's name, and every outcome is checked against the API.
 *
 * <p>Chromium and chromedriver must be at /usr/bin ({@code .ci/run} installs them). Without them the test fails on
 * CI ({@code CI=true}) and is skipped elsewhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardInBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PASSWORD = "browser-pass-123";

    private RunningTollgate app;
    private Http http;
    private String admin;
    private ChromeDriverService service;
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    void start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "DashboardInBrowserTest needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (apt-get install -y chromium chromium-driver)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(missing + "; on CI they must be there (.ci/run installs them)");
            }
            assumeTrue(false, missing + "; skipped outside CI");
        }
        Map<String, String> properties = new HashMap<>(Storage.embedded(Storage.tempDir()));
        // The offline provider whatever the environment holds: canned answers, metered and charged all the same.
        properties.put("CLOUDFLARE_ACCOUNT_ID", "");
        properties.put("CLOUDFLARE_API_KEY", "");
        app = RunningTollgate.start(properties);
        http = app.http;
        admin = login(RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(new File(System.getProperty("java.io.tmpdir"), "chromedriver-tollgate.log"))
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        wait = new WebDriverWait(driver, WAIT);
        // a table the page redraws (the read models while a replay runs) can swap a row between finding and reading it
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (app != null) {
            app.close();
        }
    }

    /** Each scenario starts logged out, on a fresh page, with the browser's log read and so emptied. */
    @BeforeEach
    void loggedOut() {
        driver.get(app.baseUrl() + "/");
        ((JavascriptExecutor) driver).executeScript("sessionStorage.clear();");
        driver.get(app.baseUrl() + "/");
        wait.until(d -> d.findElement(By.id("login-view")).isDisplayed());
        consoleErrors();
    }

    @Test
    void thePageLoadsWithNoConsoleErrorsAndItsLoginFieldsAreFoundByTheirLabels() {
        // given a person with an account
        String email = newUser("0");
        // when the page opens
        driver.get(app.baseUrl() + "/");
        wait.until(d -> d.findElement(By.id("login-view")).isDisplayed());
        // then the browser logged no error, and Email and Password each name one field
        assertThat(consoleErrors()).isEmpty();
        assertThat(byLabel("Email").getDomAttribute("id")).isEqualTo("login-email");
        assertThat(byLabel("Password").getDomAttribute("id")).isEqualTo("login-password");
        // and the offline provider is announced before anyone logs in
        wait.until(d -> d.findElement(By.id("offline")).isDisplayed());
        // and once logged in, every panel loads without an error either
        logIn(email);
        assertThat(consoleErrors()).isEmpty();
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
    }

    @Test
    void aPersonLogsInThroughTheFormAndSeesTheBalanceTheApiReports() {
        // given a user whose account the admin funded with 12.5 USD
        String email = newUser("12.5");
        // when they log in through the form
        logIn(email);
        // then the balance card shows what the API says
        String shown = textOf("balance");
        String api = http.get("/api/credits/balance", login(email, PASSWORD)).body().get("balance_usd").asText();
        assertThat(shown).isEqualTo(api).isEqualTo("12.5");
        assertThat(textOf("who")).isEqualTo(email);
        // and the user id others can send money to is theirs
        assertThat(textOf("my-id")).isEqualTo(http.get("/api/auth/me", login(email, PASSWORD)).body().get("id").asText());
    }

    @Test
    void anAdminsDoubleClickedDepositMovesTheMoneyOnce() throws InterruptedException {
        // given a user with nothing, and the admin logged in through the form
        String email = newUser("0");
        String token = login(email, PASSWORD);
        String id = http.get("/api/auth/me", token).body().get("id").asText();
        logIn(RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
        wait.until(d -> d.findElement(By.id("admin-view")).isDisplayed());
        // when the admin fills in the deposit form and double-clicks Deposit
        byLabel("User id").sendKeys(id);
        byLabel("Deposit amount (USD)").sendKeys("3");
        new Actions(driver).doubleClick(button("Deposit")).perform();
        // then the dashboard reports one deposit, with the user's table row already reloaded
        wait.until(d -> textOf("notice").startsWith("Deposited"));
        assertThat(textOf("notice")).isEqualTo("Deposited; the balance of " + id + " is now 3 USD.");
        assertThat(driver.findElement(By.xpath("//tbody[@id='users']/tr[td[1]='" + email + "']/td[3]")).getText())
                .isEqualTo("3");
        // and the account was credited once: a second request, had one been sent, would have landed by now
        Thread.sleep(300);
        assertThat(http.get("/api/credits/balance", token).body().get("balance_usd").asText()).isEqualTo("3");
        assertThat(http.get("/api/credits/transactions?limit=10", token).body().get("items")).hasSize(1);
    }

    @Test
    void aChatThroughTheFormShowsTheAnswerAndItsCostAndTheBalanceCardFollows() {
        // given a user with 1 USD, logged in
        String email = newUser("1");
        logIn(email);
        assertThat(textOf("balance")).isEqualTo("1");
        // when they ask the model through the form, leaving Max tokens empty (the server's default)
        WebElement message = byLabel("Message");
        message.clear();
        message.sendKeys("What is a ledger?");
        byLabel("Max tokens").clear();
        button("Send").click();
        // then the answer and its cost show, and the balance card shows the balance after the charge
        wait.until(d -> d.findElement(By.id("chat-answer")).isDisplayed());
        assertThat(textOf("chat-answer")).isNotBlank();
        String api = http.get("/api/credits/balance", login(email, PASSWORD)).body().get("balance_usd").asText();
        assertThat(api).isNotEqualTo("1");
        assertThat(textOf("balance")).isEqualTo(api);
        assertThat(textOf("chat-cost")).contains(" USD; balance " + api + " USD.");
        assertThat(textOf("usage-total")).startsWith("1 call, ");
    }

    @Test
    void afterALogoutTheNextPersonInTheSameTabSeesNoneOfTheFirstOnesData() {
        // given a first user who created an API key (shown once) and chatted
        String first = newUser("1");
        logIn(first);
        byLabel("Key name").sendKeys("first-users-key");
        button("Create key").click();
        wait.until(d -> d.findElement(By.id("new-key")).isDisplayed());
        String secret = textOf("new-key").replaceFirst(".*: ", "");
        button("Send").click();
        wait.until(d -> d.findElement(By.id("chat-answer")).isDisplayed());
        // when they log out and a second user logs in in the same tab
        button("Log out").click();
        wait.until(d -> d.findElement(By.id("login-view")).isDisplayed());
        String second = newUser("0");
        logIn(second);
        // then nothing of the first user's is on the page
        String page = driver.getPageSource();
        assertThat(page).doesNotContain(secret).doesNotContain(first).doesNotContain("first-users-key");
        assertThat(driver.findElement(By.id("new-key")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("chat-answer")).isDisplayed()).isFalse();
        assertThat(textOf("chat-cost")).isEmpty();
        assertThat(driver.findElement(By.id("notice")).isDisplayed()).isFalse();
        assertThat(textOf("who")).isEqualTo(second);
        assertThat(textOf("balance")).isEqualTo("0");
    }

    @Test
    void theHistoryShowsOlderEntriesPageByPageUntilTheFirst() {
        // given a user with 23 deposits, more than the history's first page of 20
        String email = newUser("1");
        String token = login(email, PASSWORD);
        String id = http.get("/api/auth/me", token).body().get("id").asText();
        for (int i = 2; i <= 23; i++) {
            Http.Answer deposit = http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "1"));
            assertThat(deposit.status()).as(deposit.toString()).isEqualTo(200);
        }
        // (the history is a read model: wait until it holds them all)
        wait.until(d -> http.get("/api/credits/transactions?limit=50", token).body().get("items").size() == 23);
        logIn(email);
        assertThat(historyRows()).hasSize(20);
        // when they ask for older entries
        button("Show older entries").click();
        // then the page adds the last three, the first deposit at the bottom, and offers no more
        wait.until(d -> historyRows().size() == 23);
        assertThat(historyRows().get(22).findElement(By.xpath("td[4]")).getText()).isEqualTo("1");
        assertThat(historyRows().get(0).findElement(By.xpath("td[4]")).getText()).isEqualTo("23");
        wait.until(d -> !d.findElement(By.id("history-more")).isDisplayed());
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void theUsageSectionListsEachCallWithItsRequestIdAndStatus() {
        // given a user who made one call through the API
        String email = newUser("1");
        String token = login(email, PASSWORD);
        Http.Answer chat = http.post("/api/ai/chat", token, "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}");
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        String requestId = chat.body().get("request_id").asText();
        // when they log in
        logIn(email);
        // then the recent calls table shows that call: model, tokens, cost, status and request id
        WebElement row = wait.until(d -> d.findElement(By.xpath("//tbody[@id='usage-logs']/tr[td='" + requestId + "']")));
        String text = row.getText();
        assertThat(text).contains("@cf/meta/llama-3.1-8b-instruct").contains(chat.body().get("cost_usd").asText())
                .contains("ok");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void anAdminDeductsFromAnAccountThroughTheFormAndSeesWhyWhenItCannot() {
        // given a user with 5 USD, and the admin logged in
        String email = newUser("5");
        logInAsAdmin();
        // when the admin deducts 1.5 with a reason
        byLabel("Account to deduct from").sendKeys(email);
        byLabel("Deduction amount (USD)").sendKeys("1.5");
        byLabel("Reason for the deduction").sendKeys("correction");
        button("Deduct").click();
        // then the dashboard says so, the users table follows, and the account holds 3.5
        wait.until(d -> textOf("notice").startsWith("Deducted"));
        assertThat(textOf("notice")).isEqualTo("Deducted; the balance of " + email + " is now 3.5 USD.");
        assertThat(driver.findElement(By.xpath("//tbody[@id='users']/tr[td[1]='" + email + "']/td[3]")).getText())
                .isEqualTo("3.5");
        assertThat(http.get("/api/credits/balance", login(email, PASSWORD)).body().get("balance_usd").asText())
                .isEqualTo("3.5");
        // and a deduction beyond what is available is refused on screen, in the alert region
        WebElement amount = byLabel("Deduction amount (USD)");
        amount.clear();
        amount.sendKeys("100");
        button("Deduct").click();
        wait.until(d -> d.findElement(By.id("error")).isDisplayed());
        assertThat(textOf("error")).contains("insufficient_funds");
    }

    @Test
    void anAdminDisablesAUserFromTheUsersTableAndEnablesThemAgain() {
        // given a user with a token, and the admin logged in
        String email = newUser("1");
        String token = login(email, PASSWORD);
        logInAsAdmin();
        // when the admin presses Disable on the user's row
        button("Disable " + email).click();
        wait.until(d -> textOf("notice").contains("is disabled"));
        // then the row says so, and the user's token is refused at once
        assertThat(driver.findElement(By.xpath("//tbody[@id='users']/tr[td[1]='" + email + "']/td[5]")).getText())
                .isEqualTo("disabled");
        assertThat(http.get("/api/credits/balance", token).status()).isEqualTo(401);
        // and when Enable is pressed, the token works again
        button("Enable " + email).click();
        wait.until(d -> textOf("notice").contains("is enabled again"));
        assertThat(driver.findElement(By.xpath("//tbody[@id='users']/tr[td[1]='" + email + "']/td[5]")).getText())
                .isEqualTo("active");
        assertThat(http.get("/api/credits/balance", token).status()).isEqualTo(200);
        // and the admin's own row offers no Disable
        assertThat(driver.findElements(By.xpath("//button[@aria-label='Disable " + RunningTollgate.ADMIN_EMAIL
                + "']"))).isEmpty();
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void anAdminReadsAnAccountsEventsOldestFirst() {
        // given a user with a deposit of 2 USD
        String email = newUser("2");
        logInAsAdmin();
        // when the admin asks for the account's events by its email
        byLabel("Account to inspect").sendKeys(email);
        button("Show events").click();
        // then the table lists them oldest first, with their payloads
        wait.until(d -> d.findElements(By.xpath("//tbody[@id='account-events']/tr")).size() == 2);
        List<WebElement> rows = driver.findElements(By.xpath("//tbody[@id='account-events']/tr"));
        assertThat(rows.get(0).getText()).contains("AccountOpened");
        assertThat(rows.get(1).getText()).contains("CreditsDeposited").contains("\"amount\":\"2\"");
        // and an unknown account is said to be unknown
        WebElement account = byLabel("Account to inspect");
        account.clear();
        account.sendKeys("nobody-" + System.nanoTime() + "@example.com");
        button("Show events").click();
        wait.until(d -> d.findElement(By.id("error")).isDisplayed());
        assertThat(driver.findElements(By.xpath("//tbody[@id='account-events']/tr[not(@class='empty')]"))).isEmpty();
    }

    @Test
    void anAdminReplaysAReadModelAndWatchesItCatchUp() {
        // given the admin logged in
        logInAsAdmin();
        // when they replay the usage read model
        button("Replay usage").click();
        // then the dashboard says it started, and the read models table reloads until it has caught up again
        wait.until(d -> textOf("notice").startsWith("Replay"));
        assertThat(textOf("notice"))
                .isEqualTo("Replay of usage started; balances and history are rebuilt with it.");
        wait.until(d -> d.findElement(By.xpath("//tbody[@id='projections']/tr[td[1]='usage']/td[4]")).getText()
                .equals("caught_up"));
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void aKeyboardUserWhoReplaysAReadModelStaysOnItsButtonWhileTheTableIsRedrawn() {
        // given the admin, on the balances read model's Replay button
        logInAsAdmin();
        WebElement replay = button("Replay balances");
        // when they press Enter on it
        replay.sendKeys(Keys.ENTER);
        // then once the table has been redrawn (and the read model caught up), the keyboard is on that row's button
        wait.until(d -> textOf("notice")
                .equals("Replay of balances started; history and usage are rebuilt with it."));
        wait.until(ExpectedConditions.stalenessOf(replay));
        wait.until(d -> d.findElement(By.xpath("//tbody[@id='projections']/tr[td[1]='balances']/td[4]")).getText()
                .equals("caught_up"));
        assertThat(driver.switchTo().activeElement().getDomAttribute("aria-label")).isEqualTo("Replay balances");
    }

    @Test
    void anAdminChangesAModelsPriceAndTheMarkupThroughTheForms() {
        // given the admin logged in, with the price book on screen
        logInAsAdmin();
        String model = "@cf/google/gemma-3-12b-it";
        wait.until(d -> !d.findElements(By.xpath("//tbody[@id='prices']/tr[td[1]='" + model + "']")).isEmpty());
        // when they set a new price for one model
        new Select(byLabel("Price book entry")).selectByValue(model);
        byLabel("Input USD per M tokens").sendKeys("0.5");
        byLabel("Output USD per M tokens").sendKeys("0.75");
        button("Set price").click();
        // then the dashboard says so, the table shows it, and the price book holds it
        wait.until(d -> textOf("notice").startsWith("Price"));
        assertThat(driver.findElement(By.xpath("//tbody[@id='prices']/tr[td[1]='" + model + "']")).getText())
                .contains("0.5").contains("0.75");
        Http.Answer prices = http.get("/api/admin/prices", admin);
        JsonNode row = null;
        for (JsonNode p : prices.body()) {
            if (p.get("model").asText().equals(model)) {
                row = p;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("input_usd_per_m").asText()).isEqualTo("0.5");
        assertThat(row.get("output_usd_per_m").asText()).isEqualTo("0.75");
        // and the markup form sets the operator's markup
        byLabel("Markup (basis points)").sendKeys("0");
        button("Set markup").click();
        wait.until(d -> textOf("notice").startsWith("Markup"));
        assertThat(http.get("/api/admin/prices/markup", admin).body().get("basis_points").asInt()).isZero();
    }

    @Test
    void onANarrowScreenThePageIsNoWiderThanTheScreenAndNumbersLineUpUnderTheirHeadings() {
        // given the admin (the widest tables) on a phone-sized window
        driver.manage().window().setSize(new Dimension(390, 900));
        try {
            logInAsAdmin();
            // then nothing makes the page scroll sideways
            Long overflow = (Long) ((JavascriptExecutor) driver).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(overflow).isLessThanOrEqualTo(0L);
            // and no amount is cut off at the edge of its table's box: the words give way instead
            Boolean amountsWhole = (Boolean) ((JavascriptExecutor) driver).executeScript(
                    "const cells = document.querySelectorAll('#users td.num');"
                    + "return cells.length > 0 && Array.from(cells).every(td => {"
                    + " const box = td.closest('.scroll').getBoundingClientRect(), r = td.getBoundingClientRect();"
                    + " return r.right <= box.right + 0.5 && td.scrollWidth <= td.clientWidth; });");
            assertThat(amountsWhole).isTrue();
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 1000));
        }
        // and a column of amounts is aligned as its heading is
        WebElement heading = driver.findElement(By.xpath("//tbody[@id='users']/../thead/tr/th[3]"));
        WebElement amount = driver.findElement(By.xpath("//tbody[@id='users']/tr[1]/td[3]"));
        assertThat(heading.getCssValue("text-align")).isEqualTo(amount.getCssValue("text-align")).isEqualTo("right");
    }

    @Test
    void aTransferSentThroughTheFormIsSentOnce_aSecondClickFindsTheFormStartedAfresh() throws InterruptedException {
        // given a user with 5 USD, and someone to pay
        String sender = newUser("5");
        String recipient = newUser("0");
        logIn(sender);
        // when they transfer 1.25 and press the button once more after it was done
        byLabel("Recipient").sendKeys(recipient);
        byLabel("Transfer amount (USD)").sendKeys("1.25");
        button("Transfer money").click();
        wait.until(d -> textOf("notice").startsWith("Transfer"));
        button("Transfer money").click();
        Thread.sleep(300);
        // then the money moved once, and the amount waits for a new one
        assertThat(byLabel("Transfer amount (USD)").getAttribute("value")).isEmpty();
        assertThat(http.get("/api/credits/balance", login(sender, PASSWORD)).body().get("balance_usd").asText())
                .isEqualTo("3.75");
        assertThat(http.get("/api/credits/balance", login(recipient, PASSWORD)).body().get("balance_usd").asText())
                .isEqualTo("1.25");
    }

    @Test
    void revokingTheKeyJustShownTakesItsSecretOffTheScreen() {
        // given a user who just created a key, shown once
        String email = newUser("0");
        logIn(email);
        byLabel("Key name").sendKeys("short-lived");
        button("Create key").click();
        wait.until(d -> d.findElement(By.id("new-key")).isDisplayed());
        // when they revoke that key
        button("Revoke key short-lived").click();
        wait.until(d -> textOf("notice").equals("Key short-lived revoked."));
        // then its secret is no longer on the page
        assertThat(driver.findElement(By.id("new-key")).isDisplayed()).isFalse();
        assertThat(textOf("new-key")).isEmpty();
    }

    @Test
    void theAnswerToAFormFarDownThePageShowsWhereThePersonIs() {
        // given a user, and the admin logged in, scrolled down to the deposit form at the bottom of the page
        String email = newUser("0");
        logInAsAdmin();
        byLabel("User id").sendKeys(email);
        byLabel("Deposit amount (USD)").sendKeys("2");
        // when they deposit
        button("Deposit").click();
        wait.until(d -> textOf("notice").startsWith("Deposited"));
        // then the message is on screen, not at the top of the page above it
        assertThat(inView("notice")).isTrue();
        // and so is a refusal
        WebElement amount = byLabel("Deposit amount (USD)");
        amount.clear();
        amount.sendKeys("1e3");
        button("Deposit").click();
        wait.until(d -> d.findElement(By.id("error")).isDisplayed());
        assertThat(inView("error")).isTrue();
    }

    private boolean inView(String id) {
        return (Boolean) ((JavascriptExecutor) driver).executeScript("const r = document.getElementById(arguments[0])"
                + ".getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;", id);
    }

    private List<WebElement> historyRows() {
        return driver.findElements(By.xpath("//tbody[@id='history']/tr[not(@class='empty')]"));
    }

    private void logInAsAdmin() {
        logIn(RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
        wait.until(d -> d.findElement(By.id("admin-view")).isDisplayed());
    }

    // --- the person's side: the page

    private void logIn(String email) {
        logIn(email, PASSWORD);
    }

    private void logIn(String email, String password) {
        byLabel("Email").sendKeys(email);
        byLabel("Password").sendKeys(password);
        button("Log in").click();
        wait.until(d -> d.findElement(By.id("app-view")).isDisplayed() && textOf("who").startsWith(email));
        // every panel loaded: the page drops aria-busy then
        wait.until(d -> d.findElement(By.id("app-view")).getDomAttribute("aria-busy") == null);
    }

    /** The one control whose label reads exactly {@code text} (the label's own words, not its control's). */
    private WebElement byLabel(String text) {
        List<WebElement> labels = driver.findElements(By.xpath("//label[normalize-space(text()[normalize-space()])='"
                + text + "']"));
        assertThat(labels).as("labels reading '%s'", text).hasSize(1);
        WebElement label = labels.get(0);
        String target = label.getDomAttribute("for");
        WebElement control = target == null || target.isEmpty()
                ? label.findElement(By.cssSelector("input, select, textarea"))
                : driver.findElement(By.id(target));
        wait.until(d -> control.isDisplayed());
        return control;
    }

    /** The one shown button named {@code name}, by its text or its aria-label. */
    private WebElement button(String name) {
        List<WebElement> buttons = driver.findElements(By.xpath("//button[normalize-space(.)='" + name
                + "' or @aria-label='" + name + "']")).stream().filter(WebElement::isDisplayed).toList();
        assertThat(buttons).as("buttons named '%s'", name).hasSize(1);
        return buttons.get(0);
    }

    private String textOf(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    /** The browser's errors since the last call (reading the log empties it). */
    private List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::toString).toList();
    }

    // --- the API's side

    private String login(String email, String password) {
        return http.post("/api/auth/login", null, json("email", email, "password", password))
                .body().get("access_token").asText();
    }

    /** A new user, funded by the admin with {@code usd} unless it is 0; answers the email. */
    private String newUser(String usd) {
        String email = "browser-" + System.nanoTime() + "@example.com";
        Http.Answer registered = http.post("/api/auth/register", null, json("email", email, "password", PASSWORD));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        if (!usd.equals("0")) {
            Http.Answer deposit = http.post("/api/admin/credits/deposit", admin,
                    json("user_id", registered.body().get("id").asText(), "amount_usd", usd));
            assertThat(deposit.status()).as(deposit.toString()).isEqualTo(200);
        }
        return email;
    }
}
