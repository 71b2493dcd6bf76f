package io.updraft.controller.scaling;

import io.updraft.controller.scaling.PlatformHttp.PlatformException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The {@code ec2} platform: RunInstances of the DEA AMI (instance type, subnet, security
 * groups, key pair, a Name tag and user data pointing at the core, {@link DeaUserData}) and
 * TerminateInstances, through the AWS SDK v2 with its Apache HTTP client (the URL connection
 * client loses the body of EC2's 401 {@code AuthFailure}).
 *
 * <p>The SDK is blocking, so every call runs on a worker ({@code executeBlocking}) and
 * completes back on the caller's context. EC2's errors ({@code AuthFailure}, {@code
 * InstanceLimitExceeded}, {@code InsufficientInstanceCapacity}, …) and timeouts fail the
 * future with the code and EC2's message. Instances outlive the controller.
 */
public final class Ec2Platform implements ScalingPlatform {

  private static final Logger log = LoggerFactory.getLogger(Ec2Platform.class);

  private final Vertx vertx;
  private final Ec2Config config;
  private final Ec2Client ec2;

  public Ec2Platform(Vertx vertx, Ec2Config config) {
    this.vertx = vertx;
    this.config = config;
    Duration timeout = Duration.ofSeconds(config.timeoutSeconds());
    Ec2ClientBuilder builder = Ec2Client.builder()
        .region(Region.of(config.region()))
        .credentialsProvider(credentials(config))
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(timeout)
            .socketTimeout(timeout))
        .overrideConfiguration(o -> o.apiCallTimeout(timeout.multipliedBy(config.maxAttempts()))
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(config.maxAttempts()).build()));
    if (config.endpoint() != null) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    this.ec2 = builder.build();
  }

  private static AwsCredentialsProvider credentials(Ec2Config config) {
    if (config.accessKeyId() != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId(),
          config.secretAccessKey()));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  @Override
  public String name() {
    return "ec2";
  }

  @Override
  public Future<List<String>> launch(int count) {
    if (count < 1) {
      return Future.failedFuture("ec2: asked to launch " + count + " nodes");
    }
    if (config.coreIp() == null) {
      return Future.failedFuture("ec2: no core address to give new DEAs (core_ip)");
    }
    RunInstancesRequest.Builder request = RunInstancesRequest.builder()
        .imageId(config.ami())
        .instanceType(config.instanceType())
        .minCount(count)
        .maxCount(count)
        .userData(DeaUserData.base64(config.userData(), config.coreIp()))
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(Tag.builder().key("Name").value(config.name()).build()).build());
    if (config.subnetId() != null) {
      request.subnetId(config.subnetId());
    }
    if (!config.securityGroupIds().isEmpty()) {
      request.securityGroupIds(config.securityGroupIds());
    }
    if (config.keyName() != null) {
      request.keyName(config.keyName());
    }
    RunInstancesRequest built = request.build();
    return this.<List<String>>blocking("RunInstances", () -> {
      // node ids are the instance ids: cloud-init's instance id on the VM, which kato gives
      // its DEA as node_id, so the DEA advertises exactly this id
      List<String> ids = ec2.runInstances(built).instances().stream()
          .map(Instance::instanceId).toList();
      if (ids.isEmpty()) {
        throw new PlatformException("ec2: RunInstances answered without instances");
      }
      log.atInfo().setMessage("scaling.ec2.launched").addKeyValue("nodes", ids)
          .addKeyValue("ami", config.ami()).addKeyValue("instance_type", config.instanceType())
          .log();
      return ids;
    });
  }

  @Override
  public Future<Void> terminate(String nodeId) {
    return this.<Void>blocking("TerminateInstances", () -> {
      ec2.terminateInstances(r -> r.instanceIds(nodeId));
      log.atInfo().setMessage("scaling.ec2.terminated").addKeyValue("node", nodeId).log();
      return null;
    });
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      ec2.close();
      return null;
    }, false);
  }

  private <T> Future<T> blocking(String action, java.util.concurrent.Callable<T> call) {
    return vertx.<T>executeBlocking(() -> {
      try {
        return call.call();
      } catch (SdkException e) {
        throw new PlatformException(reason(action, e), e);
      }
    }, false);
  }

  /** EC2's error code and message, or what kept the call from getting an answer. */
  static String reason(String action, SdkException e) {
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
        && service.awsErrorDetails().errorCode() != null) {
      return "ec2: " + action + " refused (" + service.statusCode() + "): "
          + service.awsErrorDetails().errorCode() + ": "
          + service.awsErrorDetails().errorMessage();
    }
    if (e instanceof AwsServiceException service) {
      return "ec2: " + action + " refused (" + service.statusCode() + ")"
          + (service.statusCode() == 401 ? ": the credentials were rejected" : "");
    }
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return "ec2: " + action + " timed out: " + e.getMessage();
    }
    return "ec2: " + action + " failed: " + e.getMessage();
  }
}
