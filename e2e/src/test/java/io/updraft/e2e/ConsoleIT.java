package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.common.protocol.node.ClusterConfigRequest;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Management Console in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) against a whole cloud of component processes: two DEAs, a router, a
 * stager, a services node and the controller serving the console. One cloud and one browser for
 * the class; the tests run in order, each leaving a screenshot of its page in
 * {@code target/console-screenshots/}. Skips when Chromium is not installed
 * ({@code scripts/setup-deps} installs it).
 */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "console-screenshots")
      .toAbsolutePath();
  private static final Duration BOOT = Duration.ofSeconds(120);
  /** Pages refresh every few seconds; staging and starting instances take longer under load. */
  private static final Duration UI = Duration.ofSeconds(90);
  private static final String APP = "hello";

  @TempDir
  static Path dir;

  private static Cloud cloud;
  private static CloudClient api;
  private static ComponentProcess servicesNode;
  private static Connection bus;
  private static Dispatcher katoAgent;
  private static Path browserProfile;
  private static final List<ClusterConfigRequest> configRequests = new CopyOnWriteArrayList<>();
  private static WebDriver browser;

  @BeforeAll
  static void start(NatsServer nats) throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Chromium browser tests skipped: /usr/bin/chromium and /usr/bin/chromedriver are "
            + "needed (apt-get install chromium chromium-driver, or scripts/setup-deps)");
    cloud = new Cloud(nats, dir);
    cloud.controller();
    cloud.stager();
    cloud.dea("dea-a");
    cloud.dea("dea-b");
    cloud.router();
    servicesNode = cloud.servicesNode();
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 2, "Router", 1,
        "ServicesNode", 1), BOOT);
    api = cloud.admin();
    pushApp();
    bus = cloud.connect();
    standInForKatoAgents();
    try {
      // no scaling platform in this cloud: the decision is recorded as scaling.failed
      api.scalePool(1);
    } catch (CloudException expected) {
      // the events page shows it
    }
    Files.createDirectories(SCREENSHOTS);
    browserProfile = Files.createTempDirectory(dir, "chromium-profile");
    browser = chromium(browserProfile);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (bus != null) {
      bus.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  private static WebDriver chromium(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // without the background-networking flags Chromium waits on a closed network
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000",
        "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static void pushApp() throws Exception {
    var spec = Json.mapper().createObjectNode().put("name", APP);
    spec.putArray("uris").add(APP + "." + Cloud.DOMAIN);
    spec.put("instances", 1);
    spec.putObject("resources").put("memory", 128);
    spec.putArray("env").add("GREETING=hello");
    api.createApp(spec);
    api.upload(APP, AppArchive.scan(Cloud.example("python")), sent -> { });
    api.start(APP);
    assertThat(api.awaitRunning(APP, BOOT)).as(APP + " running").isTrue();
  }

  /**
   * What the kato node agents would publish and answer: a status per node, and the cluster
   * config from a small responder (the agents are not part of this cloud).
   */
  private static void standInForKatoAgents() throws Exception {
    long now = Instant.now().getEpochSecond();
    bus.publish(Subjects.NODE_STATUS, new NodeStatus("a1b2c3d4e5f6", "core", "127.0.0.1", true,
        60, List.of("controller", "router", "stager", "services-node"), List.of(
            new NodeStatus.Process("controller", "RUNNING", 1201L, 3600L, 0),
            new NodeStatus.Process("router", "RUNNING", 1202L, 3600L, 0),
            new NodeStatus.Process("stager", "RUNNING", 1203L, 3590L, 1),
            new NodeStatus.Process("services-node", "RUNNING", 1204L, 3580L, 0)),
        new NodeStatus.HostStats(18.5, 2, List.of(0.8, 0.6, 0.5), 7_936L, 3_120L, 51_200L,
            20_480L, 1_500_000_000L, 400_000_000L), now).toJson());
    bus.publish(Subjects.NODE_STATUS, new NodeStatus("0f1e2d3c4b5a", "dea-1", "127.0.0.2",
        false, 60, List.of("dea"), List.of(new NodeStatus.Process("dea", "RUNNING", 2201L,
            1800L, 0)), new NodeStatus.HostStats(42.0, 4, List.of(1.2, 1.0, 0.9), 15_872L,
            9_800L, 102_400L, 30_000L, 800_000_000L, 900_000_000L), now).toJson());
    katoAgent = bus.createDispatcher(m -> {
      configRequests.add(ClusterConfigRequest.fromJson(m.getData()));
      bus.publish(m.getReplyTo(), ClusterConfigReply.of(
        Json.tree(("{\"cloud_controller\":{\"primary_scaling_platform\":\"none\"},"
            + "\"dea\":{\"log_level\":\"INFO\",\"max_memory_mb\":2048}}")
            .getBytes(StandardCharsets.UTF_8))).toJson());
    });
    katoAgent.subscribe(Subjects.CONFIG_REQUEST, Subjects.QUEUE_KATO);
    bus.flush(Duration.ofSeconds(5));
  }

  private static String console(String page) {
    return "http://127.0.0.1:" + cloud.apiPort + "/console/" + page;
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, UI, Duration.ofMillis(250));
  }

  private static WebElement visible(String css) {
    return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  private static void textOf(String css, String expected) {
    waiting().until(ExpectedConditions.textToBe(By.cssSelector(css), expected));
  }

  /** The whole page: the window grows to the page's height for the shot, then shrinks back. */
  private static void screenshot(String name) throws Exception {
    Dimension window = browser.manage().window().getSize();
    long height = (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollHeight;");
    browser.manage().window().setSize(new Dimension(window.getWidth(),
        (int) Math.max(window.getHeight(), Math.min(height + 140, 4000))));
    Path shot = ((org.openqa.selenium.TakesScreenshot) browser)
        .getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    browser.manage().window().setSize(window);
  }

  @Test
  @Order(1)
  void logsInAndSeesTheOverviewWithTwoDeas() throws Exception {
    browser.get(console(""));
    visible("#email").sendKeys(Cloud.ADMIN);
    assertThat(browser.findElement(By.id("top")).isDisplayed()).as("no menu before login")
        .isFalse();
    browser.findElement(By.id("password")).sendKeys("not-the-password");
    browser.findElement(By.id("login-submit")).click();
    textOf("#message", "Wrong email or password");
    browser.findElement(By.id("password")).clear();
    browser.findElement(By.id("password")).sendKeys(Cloud.ADMIN_PASSWORD);
    screenshot("01-login");
    browser.findElement(By.id("login-submit")).click();

    textOf("#dea-count .value", "2");
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#deas tr.dea"), 2));
    textOf("#apps-running .value", "1");
    assertThat(browser.findElement(By.id("user")).getText()).isEqualTo(Cloud.ADMIN);
    // the charts draw once the history has two samples (every 10 s)
    waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#chart-capacity canvas")));
    screenshot("02-overview");
  }

  @Test
  @Order(2)
  void scalesAnAppFromTheAppsPageAndWatchesItsInstancesAppear() throws Exception {
    browser.get(console("#/apps"));
    String row = "tr.app[data-app='" + APP + "']";
    textOf(row + " td.instances", "1 / 1");
    WebElement count = browser.findElement(By.cssSelector(row + " input.scale-input"));
    count.clear();
    count.sendKeys("3");
    browser.findElement(By.cssSelector(row + " button.scale")).click();
    textOf("#message", "Scaled " + APP + " to 3");
    textOf(row + " td.instances", "3 / 3");
    assertThat(api.app(APP).path("instances").asInt()).isEqualTo(3);
    screenshot("03-apps");

    browser.findElement(By.linkText(APP)).click();
    waiting().until(d -> d.findElements(By.cssSelector("#app-instances tr.instance")).stream()
        .filter(r -> r.getText().contains("RUNNING")).count() == 3);
    assertThat(browser.findElement(By.id("app-env")).getText()).contains("GREETING=hello");
    // a request through the router shows up among the recent log lines while the page is open
    assertThat(cloud.viaRouter(APP + "." + Cloud.DOMAIN, "/seen-by-the-console").statusCode())
        .isEqualTo(200);
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("app-logs"),
        "/seen-by-the-console"));
    waiting().until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#chart-cpu canvas")));
    screenshot("04-app-detail");
  }

  @Test
  @Order(3)
  void aServiceTypeTurnsUnavailableWhenItsNodeStops() throws Exception {
    browser.get(console("#/services"));
    String postgres = "tr.offering[data-type='postgresql'] td.state";
    textOf(postgres, "available");
    screenshot("05-services");

    servicesNode.kill();
    textOf(postgres, "unavailable");
    screenshot("06-services-unavailable");
    browser.get(console("#/overview"));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("service-types"), "postgresql (unavailable)"));
  }

  @Test
  @Order(4)
  void nodesEventsAndSettingsPages() throws Exception {
    browser.get(console("#/nodes"));
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("section.node"), 2));
    assertThat(browser.findElement(By.cssSelector("section.node[data-node='a1b2c3d4e5f6']"))
        .getText()).contains("core", "reporting", "stager", "RUNNING");
    screenshot("07-nodes");

    browser.get(console("#/events"));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("main"),
        "scaling.failed"));
    assertThat(browser.findElement(By.cssSelector("tr.event")).getText())
        .contains(String.valueOf(java.time.Year.now(java.time.ZoneOffset.UTC).getValue()));
    screenshot("08-events");

    browser.get(console("#/settings"));
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("config"),
        "primary_scaling_platform"));
    screenshot("09-settings");

    // an admin edits a setting: picked from the table, sent to the agents with who asked
    browser.findElements(By.cssSelector("tr.setting")).stream()
        .filter(r -> r.getText().contains("log_level")).findFirst().orElseThrow().click();
    WebElement value = browser.findElement(By.id("cfg-value"));
    value.clear();
    value.sendKeys("\"DEBUG\"");
    browser.findElement(By.cssSelector("form.inline button[type=submit]")).click();
    textOf("#message", "Set dea log_level");
    ClusterConfigRequest set = configRequests.stream().filter(r -> "set".equals(r.op()))
        .findFirst().orElseThrow();
    assertThat(set.component()).isEqualTo("dea");
    assertThat(set.key()).isEqualTo("log_level");
    assertThat(set.value().asText()).isEqualTo("DEBUG");
    assertThat(set.by()).isEqualTo(Cloud.ADMIN);
  }

  @Test
  @Order(5)
  void aUserSeesOnlyTheirOwnAppsAndNoClusterPages() throws Exception {
    new CloudClient("http://127.0.0.1:" + cloud.apiPort, null).register("dev@e2e.test", "pw-dev");
    browser.findElement(By.id("logout")).click();
    visible("#email").sendKeys("dev@e2e.test");
    browser.findElement(By.id("password")).sendKeys("pw-dev");
    browser.findElement(By.id("login-submit")).click();
    textOf("#apps-running .value", "0");
    assertThat(browser.findElement(By.cssSelector("#nav a[data-page=nodes]")).isDisplayed())
        .as("no cluster pages for a user").isFalse();
    assertThat(browser.findElements(By.id("deas"))).isEmpty();
    browser.get(console("#/apps"));
    visible("main table");
    assertThat(browser.findElements(By.cssSelector("tr.app"))).isEmpty();
    screenshot("10-user-overview");
  }
}
