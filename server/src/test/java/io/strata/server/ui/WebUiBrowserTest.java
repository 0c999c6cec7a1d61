package io.strata.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.strata.control.VolumeService;
import io.strata.domain.VolumeName;
import io.strata.engine.Volume;
import io.strata.server.StrataServer;
import io.strata.server.http.ApiTokens;
import io.strata.server.http.Role;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI end to end, in headless Chromium against a real {@code strata server} (temporary
 * data directory, file backup target, HTTP on a free loopback port): create a volume, write to
 * it, snapshot it (by keyboard alone), back the snapshot up and watch the job complete, find the
 * backup on the Backup page, verify it, restore it into a new volume, compare the two volumes
 * byte for byte outside the browser, delete the copy; a refusal shows the server's own words;
 * the backup target is changed and reset; narrow windows get no sideways scrolling; nothing is
 * loaded from anywhere but the server. Each step leaves a screenshot in
 * {@code target/ui-screenshots/}.
 */
class WebUiBrowserTest {
    private static final long MiB = 1 << 20;
    private static final long SIZE = 16 * MiB;
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", ".")).resolve("target/ui-screenshots");

    @TempDir
    Path tmp;

    private ChromeDriver driver;
    private WebDriverWait wait;

    @Test
    void aVolumesLifeThroughTheWebUi() throws Exception {
        Chromium.require();
        try (StrataServer server = StrataServer.start(UiHarness.config(tmp));
             Chromium chromium = Chromium.start(tmp.resolve("profile"), SCREENSHOTS, 1280, 1100)) {
            driver = chromium.driver;
            wait = new WebDriverWait(driver, Chromium.STEP, Duration.ofMillis(50));
            String base = server.httpUrl().orElseThrow().toString();
            try {
                walkThrough(server, chromium, base);
            } catch (Throwable failure) {
                chromium.screenshot("failure");
                Files.writeString(chromium.screenshots().resolve("failure.html"), driver.getPageSource());
                throw failure;
            }
        }
    }

    private void walkThrough(StrataServer server, Chromium chromium, String base) throws Exception {
        driver.get(base + "/");
        signIn(chromium, server);
        waitFor("the Volume page", d -> d.findElement(By.cssSelector("#page h1")).getText().equals("Volumes")
                && d.findElements(By.cssSelector(".volume-list[aria-busy]")).isEmpty());
        assertThat(driver.getTitle()).isEqualTo("Volume · Strata");
        assertThat(driver.findElement(By.cssSelector("nav a[data-page='volume']")).getAttribute("aria-current")).isEqualTo("page");
        assertThat(text(".volume-list")).contains("No volumes yet");
        chromium.screenshot("volume-page-empty");

        // create: the name, the size, Enter
        driver.findElement(By.id("new-volume-name")).sendKeys("app");
        WebElement size = driver.findElement(By.id("new-volume-size"));
        size.clear();
        size.sendKeys("16Mi", Keys.ENTER);
        waitFor("volume app's card", d -> !d.findElements(By.cssSelector("article[data-volume='app']")).isEmpty());
        assertThat(text("article[data-volume='app'] [data-field='size']")).isEqualTo("16 MiB");
        assertThat(text("article[data-volume='app'] [data-field='state']")).isEqualTo("ready");
        assertThat(text("article[data-volume='app'] [data-field='attachment']")).isEqualTo("no");
        assertThat(notices()).contains("Created volume app (16 MiB).");
        assertThat(server.volumes().view(VolumeName.of("app")).orElseThrow().info().size()).isEqualTo(SIZE);
        chromium.screenshot("volume-created");

        // data, written outside the browser: 4 MiB of random bytes in three places, holes elsewhere
        byte[] image = new byte[(int) SIZE];
        Random random = new Random(7);
        for (long[] range : new long[][] {{MiB, 2 * MiB}, {9 * MiB + 4096, MiB + 512}, {SIZE - MiB, MiB}}) {
            byte[] data = new byte[(int) range[1]];
            random.nextBytes(data);
            System.arraycopy(data, 0, image, (int) range[0], data.length);
            Volume volume = server.store().open(VolumeName.of("app"));
            volume.writeAt(ByteBuffer.wrap(data), range[0]);
            volume.flush();
        }

        // a snapshot, by keyboard alone: Enter on the button, type the name, Enter
        By takeSnapshot = By.cssSelector("[data-key='volume:app:snapshot']");
        waitFor("the snapshot button", d -> d.findElement(takeSnapshot)).sendKeys(Keys.ENTER);
        waitFor("the snapshot dialog", d -> d.findElement(By.cssSelector("dialog[open]")));
        WebElement name = driver.switchTo().activeElement();
        assertThat(name.getAttribute("id")).as("the dialog opens on its field").isEqualTo("dialog-field-name");
        assertThat(name.getAttribute("value")).as("a name is proposed").startsWith("app-");
        name.sendKeys(Keys.chord(Keys.CONTROL, "a"), "app-snap-1", Keys.ENTER);
        waitFor("snapshot app-snap-1 listed", d -> !d.findElements(By.cssSelector(
                "article[data-volume='app'] tr[data-snapshot='app-snap-1']")).isEmpty());
        waitFor("the dialog closed", d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
        assertThat(driver.switchTo().activeElement().getAttribute("data-key")).as("the focus is back on the button that opened it")
                .isEqualTo("volume:app:snapshot");
        assertThat(notices()).contains("Took snapshot app-snap-1 of app.");
        chromium.screenshot("snapshot-taken");

        // back the snapshot up and watch the job until it is complete
        click(By.cssSelector("[data-key='snapshot:app:app-snap-1:backup']"));
        By jobState = By.cssSelector("article[data-volume='app'] .jobs li [data-field='job-state']");
        Set<String> seen = new LinkedHashSet<>();
        waitFor("the backup job complete", d -> {
            List<WebElement> states = d.findElements(jobState);
            if (states.isEmpty()) {
                return false;
            }
            String state = states.getFirst().getText();
            seen.add(state);
            return state.startsWith("complete");
        });
        System.out.println("backup job states seen in the page: " + seen);
        String jobLine = text("article[data-volume='app'] .jobs li");
        assertThat(jobLine).contains("of snapshot app-snap-1");
        chromium.screenshot("backup-complete");

        // the Backup page, from the top navigation, then the backup volume
        click(By.cssSelector("nav a[data-page='backup']"));
        waitFor("the backup volume app listed", d -> !d.findElements(By.cssSelector("tr[data-backup-volume='app']")).isEmpty());
        assertThat(driver.getCurrentUrl()).endsWith("#/backup");
        assertThat(text("[data-field='target-url']")).isEqualTo("file://" + tmp.resolve("data/backups"));
        chromium.screenshot("backup-volumes");
        click(By.cssSelector("tr[data-backup-volume='app'] a"));
        waitFor("the backups of app", d -> !d.findElements(By.cssSelector("tr[data-backup]")).isEmpty());
        List<WebElement> rows = driver.findElements(By.cssSelector("tr[data-backup]"));
        assertThat(rows).hasSize(1);
        String backup = rows.getFirst().getAttribute("data-backup");
        assertThat(text("tr[data-backup] [data-field='state']")).isEqualTo("complete");
        assertThat(text("tr[data-backup] .handle")).isEqualTo("bak://app/" + backup);
        assertThat(text("tr[data-backup]")).contains("app-snap-1").contains("16 MiB");
        chromium.screenshot("backups-of-app");

        click(By.cssSelector("[data-key='backup:" + backup + ":verify']"));
        waitFor("the verification", d -> notices().stream().anyMatch(n -> n.startsWith("Backup " + backup + " is whole")));

        // restore into a new volume, then follow it on the Volume page
        click(By.cssSelector("[data-key='backup:" + backup + ":restore']"));
        waitFor("the restore dialog", d -> d.findElement(By.cssSelector("dialog[open] #dialog-field-volume"))).sendKeys("app-restored");
        chromium.screenshot("restore-dialog");
        driver.findElement(By.cssSelector("dialog[open] button[type='submit']")).click();
        waitFor("the restore started", d -> notices().stream().anyMatch(n -> n.startsWith("Restoring " + backup + " into the new volume app-restored")));
        click(By.cssSelector("nav a[data-page='volume']"));
        By restoredState = By.cssSelector("article[data-volume='app-restored'] [data-field='state']");
        waitFor("app-restored ready", d -> d.findElements(restoredState).stream().anyMatch(e -> e.getText().equals("ready")));
        assertThat(text("article[data-volume='app-restored'] [data-field='restore']")).contains("Restored from").contains("bak://app/" + backup);
        assertThat(text("article[data-volume='app-restored'] [data-field='size']")).isEqualTo("16 MiB");
        chromium.screenshot("restored");

        // outside the browser: the copy is the original, byte for byte
        byte[] original = read(server, "app");
        byte[] restored = read(server, "app-restored");
        assertThat(original).as("the volume holds what was written").isEqualTo(image);
        assertThat(restored).as("the restored volume is the original byte for byte").isEqualTo(original);

        // a clone copies in a job; once done, its card says what it was copied from
        server.volumes().create(VolumeName.of("app-clone"), 0, 0, new VolumeService.Source.OfVolume(VolumeName.of("app")));
        for (int i = 0; i < 500 && !server.volumes().view(VolumeName.of("app-clone")).orElseThrow().ready(); i++) {
            Thread.sleep(20);
        }
        driver.navigate().refresh();
        By cloneState = By.cssSelector("article[data-volume='app-clone'] [data-field='state']");
        waitFor("app-clone ready", d -> d.findElements(cloneState).stream().anyMatch(e -> e.getText().equals("ready")));
        assertThat(text("article[data-volume='app-clone'] [data-field='cloning']")).contains("Cloned from").contains("volume:app");
        assertThat(read(server, "app-clone")).as("the clone is the original byte for byte").isEqualTo(original);
        server.volumes().delete(VolumeName.of("app-clone"));
        driver.navigate().refresh();
        waitFor("app-clone gone", d -> d.findElements(By.cssSelector("article[data-volume='app-clone']")).isEmpty());

        // a backup another server is making in the same target (Longhorn's, say: in progress, no Strata lock):
        // the volume's card lists it from the target, and only complete backups offer Restore and Verify
        String elsewhere = "backup-00000000000000aa";
        Path cfg;
        try (java.util.stream.Stream<Path> all = Files.walk(tmp.resolve("data/backups"))) {
            cfg = all.filter(p -> p.getFileName().toString().equals("backup_" + backup + ".cfg")).findFirst().orElseThrow();
        }
        Path elsewhereCfg = cfg.resolveSibling("backup_" + elsewhere + ".cfg");
        Files.writeString(elsewhereCfg, Files.readString(cfg).replace("\"Name\":\"" + backup + "\"", "\"Name\":\"" + elsewhere + "\"")
                .replaceAll("\"CreatedTime\":\"[^\"]*\"", "\"CreatedTime\":\"\""));
        driver.navigate().refresh();
        By elsewhereState = By.cssSelector("article[data-volume='app'] li[data-backup='" + elsewhere + "'] [data-field='job-state']");
        waitFor("the backup made elsewhere on app's card", d -> !d.findElements(elsewhereState).isEmpty());
        assertThat(text("article[data-volume='app'] li[data-backup='" + elsewhere + "'] [data-field='job-state']"))
                .isEqualTo("in progress elsewhere");
        assertThat(text("article[data-volume='app'] li[data-backup='" + backup + "'] [data-field='job-state']")).startsWith("complete");
        chromium.screenshot("backup-made-elsewhere");
        driver.get(base + "/#/backup/app");
        waitFor("the backups of app", d -> d.findElements(By.cssSelector("tr[data-backup]")).size() == 2);
        assertThat(driver.findElements(By.cssSelector("[data-key='backup:" + elsewhere + ":restore']"))).as("in progress").isEmpty();
        assertThat(driver.findElements(By.cssSelector("[data-key='backup:" + elsewhere + ":verify']"))).as("in progress").isEmpty();
        assertThat(driver.findElements(By.cssSelector("[data-key='backup:" + elsewhere + ":delete']"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("[data-key='backup:" + backup + ":restore']"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("[data-key='backup:" + backup + ":verify']"))).hasSize(1);
        Files.delete(elsewhereCfg);
        driver.get(base + "/#/volume");
        waitFor("the Volume page again", d -> d.findElements(elsewhereState).isEmpty()
                && !d.findElements(By.cssSelector("article[data-volume='app']")).isEmpty());

        // a refusal is shown with the server's own words
        String detail = refusalDetail(base, adminToken());
        driver.findElement(By.id("new-volume-name")).sendKeys("app");
        WebElement again = driver.findElement(By.id("new-volume-size"));
        again.clear();
        again.sendKeys("16Mi");
        click(By.cssSelector("[data-key='create:submit']"));
        waitFor("the error shown", d -> !d.findElements(By.cssSelector(".alert.error")).isEmpty());
        WebElement error = driver.findElement(By.cssSelector(".alert.error"));
        assertThat(error.getAttribute("role")).isEqualTo("alert");
        assertThat(error.findElement(By.cssSelector(".title")).getText()).isEqualTo("Already exists");
        assertThat(error.findElement(By.cssSelector(".detail")).getText()).isEqualTo(detail);
        chromium.screenshot("error-shown");
        error.findElement(By.cssSelector("button.dismiss")).click();
        waitFor("the error dismissed", d -> d.findElements(By.cssSelector(".alert.error")).isEmpty());

        // a size is read by the server, by the CLI's rules: 10GB is refused, saying what to type
        WebElement badSize = driver.findElement(By.id("new-volume-size"));
        badSize.clear();
        badSize.sendKeys("10GB", Keys.ENTER);
        waitFor("the size refused", d -> d.findElements(By.cssSelector(".alert.error .detail")).stream()
                .anyMatch(e -> e.getText().contains("write 10Gi (10737418240 bytes)")));
        assertThat(server.volumes().list()).hasSize(2);

        // delete the copy: the question starts on Cancel, the answer deletes
        click(By.cssSelector("[data-key='volume:app-restored:delete']"));
        waitFor("the delete question", d -> d.findElement(By.cssSelector("dialog[open]")));
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Cancel");
        assertThat(text("dialog[open] .dialog-message")).contains("deleted for good");
        chromium.screenshot("delete-question");
        driver.findElement(By.cssSelector("dialog[open] button[type='submit']")).click();
        waitFor("app-restored gone", d -> d.findElements(By.cssSelector("article[data-volume='app-restored']")).isEmpty());
        assertThat(server.volumes().view(VolumeName.of("app-restored"))).isEmpty();
        assertThat(server.volumes().view(VolumeName.of("app"))).isPresent();
        assertThat(notices()).contains("Deleted volume app-restored.");
        chromium.screenshot("copy-deleted");

        // the backup target: another, then back to the configured one
        Path other = tmp.resolve("other-target"); // not there yet: the form's checkbox asks for it
        click(By.cssSelector("nav a[data-page='backup']"));
        waitFor("the Backup page", d -> !d.findElements(By.cssSelector("tr[data-backup-volume='app']")).isEmpty());
        click(By.id("backup-target-create"));
        WebElement url = driver.findElement(By.id("backup-target-url"));
        url.sendKeys(Keys.chord(Keys.CONTROL, "a"), "file://" + other, Keys.ENTER);
        waitFor("the new target in use", d -> text("[data-field='target-url']").equals("file://" + other)
                && text(".backup-list").contains("holds no backups yet"));
        assertThat(text(".target-current")).contains("saved here");
        chromium.screenshot("other-target");
        click(By.cssSelector("[data-key='target:reset']"));
        waitFor("the configured target again", d -> !d.findElements(By.cssSelector("tr[data-backup-volume='app']")).isEmpty());
        assertThat(text("[data-field='target-url']")).isEqualTo("file://" + tmp.resolve("data/backups"));

        // every message can be dismissed
        waitFor("no messages left", d -> {
            List<WebElement> dismiss = d.findElements(By.cssSelector(".alert button.dismiss"));
            dismiss.forEach(WebElement::click);
            return dismiss.isEmpty();
        });

        // narrow windows: everything fits, nothing scrolls sideways
        chromium.resize(390, 900);
        assertNoSidewaysScrolling("Backup page");
        chromium.screenshot("narrow-backup-volumes");
        click(By.cssSelector("tr[data-backup-volume='app'] a"));
        waitFor("the backups of app", d -> !d.findElements(By.cssSelector("tr[data-backup]")).isEmpty());
        assertNoSidewaysScrolling("backups of app");
        chromium.screenshot("narrow-backups");
        click(By.cssSelector("nav a[data-page='volume']"));
        waitFor("volume app", d -> !d.findElements(By.cssSelector("article[data-volume='app']")).isEmpty());
        assertNoSidewaysScrolling("Volume page");
        chromium.screenshot("narrow-volumes");

        // nothing came from anywhere but this server, and no script failed
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) driver.executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])");
        assertThat(loaded).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(base + "/"));
        List<String> problems = new ArrayList<>();
        boolean refusalLogged = false;
        boolean wrongTokenLogged = false;
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            if (message.contains("the server responded with a status of 409") || message.contains("status of 400")) {
                refusalLogged = true; // the refused creates above (a name in use, a size of 10GB): the test's own doing
            } else if (message.contains("the server responded with a status of 401")) {
                wrongTokenLogged = true; // the wrong token tried at sign-in: the test's own doing
            } else if (entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                problems.add(message);
            }
        }
        assertThat(refusalLogged).as("the browser's log is read (it holds the refused request)").isTrue();
        assertThat(wrongTokenLogged).as("the wrong token was sent, and refused").isTrue();
        assertThat(problems).as("browser console errors").isEmpty();
    }

    /** What the pages make of sizes typed and shown, run in the browser on the module the pages use. */
    @Test
    void sizesAreShownInBinaryUnitsAndLeftToTheServerToRead() throws Exception {
        Chromium.require();
        try (StrataServer server = StrataServer.start(UiHarness.config(tmp));
             Chromium chromium = Chromium.start(tmp.resolve("profile"), tmp.resolve("shots"), 800, 600)) {
            driver = chromium.driver;
            driver.get(server.httpUrl().orElseThrow() + "/");
            @SuppressWarnings("unchecked")
            Map<String, List<Object>> result = (Map<String, List<Object>>) driver.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    import('/ui/format.js').then((f) => done({
                      parser: [typeof f.parseSize],
                      shown: [0, 1023, 1536, 16777216, 1610612736, 10737418240, 107374182400].map(f.formatBytes),
                      typed: [16777216, 1073741824, 4096, 1000, 3 * 1073741824 + 1048576].map(f.sizeText),
                    })).catch((e) => done({ error: [String(e)] }));
                    """);
            assertThat(result).doesNotContainKey("error");
            assertThat(result.get("parser")).as("typed sizes go to the server as typed (SizesApiTest): no second parser")
                    .containsExactly("undefined");
            assertThat(result.get("shown")).containsExactly("0 B", "1023 B", "1.5 KiB", "16 MiB", "1.5 GiB", "10 GiB", "100 GiB");
            assertThat(result.get("typed")).containsExactly("16Mi", "1Gi", "4Ki", "1000", "3073Mi");
        }
    }

    private void assertNoSidewaysScrolling(String where) {
        Object overflow = driver.executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(((Number) overflow).intValue()).as("sideways scrolling on the %s", where).isLessThanOrEqualTo(0);
    }

    /** The detail the API gives for creating a volume that exists, asked directly. */
    private static String refusalDetail(String base, String token) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/volumes"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"app\",\"sizeBytes\":16777216}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(409);
            JsonNode problem = JsonMapper.builder().build().readTree(answer.body());
            return problem.get("detail").asText();
        }
    }

    /**
     * The page asks for a token before it asks the API anything; a wrong one is refused inside the
     * dialog, the server's own admin token lets the page in, and the tab keeps it.
     */
    private void signIn(Chromium chromium, StrataServer server) throws IOException {
        waitFor("the sign-in dialog", d -> d.findElement(By.cssSelector("dialog[open] #dialog-field-token")));
        assertThat(driver.findElement(By.id("dialog-title")).getText()).isEqualTo("Sign in to Strata");
        assertThat(driver.findElements(By.cssSelector("dialog[open] button")).stream().map(WebElement::getText).toList())
                .as("no way around it").containsExactly("Sign in");
        WebElement field = driver.switchTo().activeElement();
        assertThat(field.getAttribute("id")).isEqualTo("dialog-field-token");
        assertThat(field.getAttribute("type")).as("the token is not shown").isEqualTo("password");
        chromium.screenshot("sign-in");
        field.sendKeys(Keys.ESCAPE);
        assertThat(driver.findElements(By.cssSelector("dialog[open]"))).as("Escape does not skip it").hasSize(1);
        field.sendKeys("not-the-token-of-this-server-at-all-0123456789", Keys.ENTER);
        waitFor("the wrong token refused", d -> d.findElement(By.cssSelector("dialog[open] .dialog-error")).getText().contains("not a token of this server"));
        chromium.screenshot("sign-in-refused");
        WebElement again = driver.findElement(By.id("dialog-field-token"));
        again.sendKeys(Keys.chord(Keys.CONTROL, "a"), adminToken(), Keys.ENTER);
        waitFor("the dialog closed", d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
        waitFor("the server's info in the footer", d -> d.findElement(By.id("server-info")).getText().contains("node node-1"));
        assertThat(driver.executeScript("return sessionStorage.getItem('strata.apiToken')")).isEqualTo(adminToken());
    }

    private String adminToken() throws IOException {
        return ApiTokens.read(tmp.resolve("data").resolve(ApiTokens.DIRECTORY), Role.ADMIN).orElseThrow();
    }

    private static byte[] read(StrataServer server, String name) throws IOException {
        Volume volume = server.store().open(VolumeName.of(name));
        ByteBuffer all = ByteBuffer.allocate((int) volume.size());
        volume.readAt(all, 0);
        return all.array();
    }

    private List<String> notices() {
        return driver.findElements(By.cssSelector(".alert.notice .detail")).stream().map(WebElement::getText).toList();
    }

    private String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    /** Waits for a condition; the page redraws while jobs run, so an element found may be replaced before it is read. */
    private <T> T waitFor(String what, Function<WebDriver, T> condition) {
        return wait.withMessage(() -> "waiting for " + what).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(condition);
    }

    /** Clicks an element in the middle of the window, where no fixed message covers it, finding it again if it was redrawn. */
    private void click(By by) {
        waitFor("clicking " + by, d -> {
            try {
                WebElement element = d.findElement(by);
                driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
                element.click();
                return true;
            } catch (ElementClickInterceptedException e) {
                return false;
            }
        });
    }
}
