package io.strata.server.ui;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through its chromedriver, both from Debian's packages ({@code chromium},
 * {@code chromium-driver}). Both paths are given to Selenium, so it never looks for (or downloads)
 * a browser or a driver of its own. The browser resolves no host name but loopback ones: a page that
 * needed anything from the network would fail here.
 */
final class Chromium implements AutoCloseable {
    /**
     * Selenium warns that it has no DevTools bindings for this Chromium's version; nothing here
     * uses them. Held here: a logger that nobody references may be collected with its level.
     */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
            java.util.logging.Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

    static {
        QUIET.forEach(logger -> logger.setLevel(java.util.logging.Level.SEVERE));
    }

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path screenshots;
    private int shots;

    private Chromium(ChromeDriverService service, ChromeDriver driver, Path screenshots) {
        this.service = service;
        this.driver = driver;
        this.screenshots = screenshots;
    }

    /** Chromium and its driver, or, without them, a failure under CI and a skip elsewhere that names the packages. */
    static void require() {
        require(BROWSER, DRIVER, System.getenv("CI"));
    }

    /** As {@link #require()}, for these paths and this value of {@code CI}. */
    static void require(Path browser, Path driver, String ci) {
        if (Files.isExecutable(browser) && Files.isExecutable(driver)) {
            return;
        }
        String missing = (Files.isExecutable(browser) ? "" : browser + " ") + (Files.isExecutable(driver) ? "" : driver);
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            Assertions.fail("CI lacks " + missing.strip() + " (Debian packages chromium and chromium-driver): .ci/run must install them");
        }
        System.err.println("skipping: " + missing.strip() + " not installed (apt-get install chromium chromium-driver to run this test)");
        Assumptions.abort("chromium or chromedriver is not installed");
    }

    /** Starts the browser with an empty profile in {@code profile}; screenshots go to {@code screenshots}, which is emptied. */
    static Chromium start(Path profile, Path screenshots, int width, int height) throws IOException {
        require();
        if (Files.isDirectory(screenshots)) {
            try (var old = Files.list(screenshots)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(screenshots);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File(screenshots.toFile(), "chromedriver.log"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(List.of(
                "--headless=new",
                "--no-sandbox", // tests run as root in CI, where the sandbox cannot start
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height,
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-sync",
                "--lang=en-US"));
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            driver.manage().window().setSize(new Dimension(width, height));
        } catch (RuntimeException e) {
            driver.quit();
            service.stop();
            throw e;
        }
        return new Chromium(service, driver, screenshots);
    }

    /** Saves what the browser shows as {@code NN-name.png}. */
    Path screenshot(String name) {
        Path file = screenshots.resolve(String.format("%02d-%s.png", ++shots, name));
        try {
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Resizes the window; the page lays itself out again before this returns. */
    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        driver.executeScript("return document.body.getBoundingClientRect().width");
    }

    Path screenshots() {
        return screenshots;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    /** How long one step in the browser may take, however slow a shared machine is. */
    static final Duration STEP = Duration.ofSeconds(60);
}
