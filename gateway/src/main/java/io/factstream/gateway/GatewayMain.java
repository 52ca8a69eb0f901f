package io.factstream.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.factstream.gateway.auth.Users;
import io.factstream.kafka.clients.KafkaPropertiesOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs a gateway until it is stopped (SIGTERM or Ctrl-C); a failure to start is one line and exit status 1. */
@Command(name = "factstream-gateway", mixinStandardHelpOptions = true,
        description = "The platform's HTTP front door: commands, queries, live subscriptions and the web page.")
public final class GatewayMain implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Mixin
    KafkaPropertiesOption kafkaProperties;

    @Option(names = "--users", required = true, description = "The users file: user ids, roles, token hashes.")
    Path users;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--command-wait", defaultValue = "PT10S",
            description = "How long a command waits for its outcome before 202 (default: ${DEFAULT-VALUE}).")
    Duration commandWait;

    @Option(names = "--read-wait", defaultValue = "PT10S",
            description = "How long a query with ?after= waits for the view (default: ${DEFAULT-VALUE}).")
    Duration readWait;

    @Option(names = "--heartbeat", defaultValue = "PT15S",
            description = "Heartbeat of live subscriptions (default: ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--views-group", defaultValue = "factstream-views",
            description = "Consumer group of the view job (default: ${DEFAULT-VALUE}).")
    String viewsGroup;

    @Override
    public Integer call() throws Exception {
        Gateway gateway = Gateway.builder()
                .bootstrapServers(bootstrapServers)
                .users(Users.read(users))
                .host(host)
                .port(port)
                .commandWait(commandWait)
                .readWait(readWait)
                .heartbeat(heartbeat)
                .viewsGroup(viewsGroup)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                gateway.close();
            } catch (Exception e) {
                System.err.println("factstream-gateway: stopping failed: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "gateway-shutdown"));
        System.out.println("factstream gateway listening on " + gateway.url());
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GatewayMain())
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println("factstream-gateway: " + e.getMessage());
                    return 1;
                })
                .execute(args));
    }
}
