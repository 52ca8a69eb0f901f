package io.factstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import io.factstream.catalog.access.AccessCatalog;
import io.factstream.catalog.access.Principal;

/**
 * What the secured local broker authenticates with, made by the project at the broker's first start and kept in its
 * {@code security/} directory (readable by its owner only): a self-signed TLS certificate for {@code localhost}
 * ({@code broker.p12}, its public part {@code ca.crt}, made with the JDK's {@code keytool}), and for the
 * administrator and every principal of the {@link AccessCatalog} a random password and a Kafka client properties
 * file, {@code <principal>.properties}, that any Kafka client or tool takes ({@code --kafka-properties}).
 *
 * <p>The client files are the source of the passwords: every start of the broker sets each principal's SCRAM
 * credential to the password its file holds, so that changing a password is editing its file (or deleting it, for a
 * new random one) and starting the platform again.
 */
final class BrokerSecurity {

    static final String MECHANISM = "SCRAM-SHA-512";
    private static final int SCRAM_ITERATIONS = 8192;
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final Pattern PASSWORD = Pattern.compile("password=\"([^\"]*)\"");
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private final Path dir;
    private final SecureRandom random = new SecureRandom();

    BrokerSecurity(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** Whether this broker was set up secured: its administrator's client file exists. */
    boolean exists() {
        return Files.exists(clientProperties(AccessCatalog.ADMIN));
    }

    /** Every principal with a client file: the administrator first, then the access catalog's. */
    static List<String> principals() {
        List<String> names = new ArrayList<>(List.of(AccessCatalog.ADMIN));
        AccessCatalog.standard().principals().stream().map(Principal::name).forEach(names::add);
        return names;
    }

    /** The Kafka client properties file of a principal. */
    Path clientProperties(String principal) {
        return dir.resolve(principal + ".properties");
    }

    /** The broker's certificate, which clients trust. */
    Path certificate() {
        return dir.resolve("ca.crt");
    }

    /**
     * Makes what is missing: the certificate and key store, a password and client file for each principal that has
     * none. Keeps what exists.
     */
    void prepare(Duration timeout) throws IOException, LocalPlatformException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (!Files.exists(keyStore())) {
            String storePassword = newPassword();
            keytool(timeout, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity",
                    "3650", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype",
                    "PKCS12", "-keystore", keyStore().toString(), "-storepass", storePassword);
            keytool(timeout, "-exportcert", "-rfc", "-alias", "broker", "-keystore", keyStore().toString(),
                    "-storepass", storePassword, "-file", certificate().toString());
            writePrivate(keyStorePassword(), storePassword);
        }
        for (String principal : principals()) {
            if (!Files.exists(clientProperties(principal))) {
                writePrivate(clientProperties(principal), clientFile(principal, newPassword()));
            }
        }
    }

    /** The password in a principal's client file. */
    String password(String principal) throws LocalPlatformException {
        Path file = clientProperties(principal);
        try {
            Matcher matcher = PASSWORD.matcher(Files.readString(file, StandardCharsets.UTF_8));
            if (!matcher.find()) {
                throw new LocalPlatformException(file + " holds no password=\"...\" in its sasl.jaas.config");
            }
            return matcher.group(1);
        } catch (IOException e) {
            throw new LocalPlatformException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The broker's listener settings: SASL_SSL with {@value #MECHANISM} for clients and between brokers, the
     * controller listener SASL_PLAINTEXT with PLAIN for the administrator only (KRaft controllers cannot take SCRAM,
     * whose credentials they keep), and the KRaft {@code StandardAuthorizer} with the administrator as super user.
     */
    List<String> brokerConfig(int port, int controllerPort) throws IOException, LocalPlatformException {
        String admin = password(AccessCatalog.ADMIN);
        String storePassword = Files.readString(keyStorePassword(), StandardCharsets.UTF_8).strip();
        return List.of(
                "listeners=SASL_SSL://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=SASL_SSL://localhost:" + port,
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT",
                "inter.broker.listener.name=SASL_SSL",
                "sasl.enabled.mechanisms=" + MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" + SCRAM_LOGIN + " required username=\""
                        + AccessCatalog.ADMIN + "\" password=\"" + admin + "\";",
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "sasl.mechanism.controller.protocol=PLAIN",
                "listener.name.controller.plain.sasl.jaas.config=" + PLAIN_LOGIN + " required username=\""
                        + AccessCatalog.ADMIN + "\" password=\"" + admin + "\" user_" + AccessCatalog.ADMIN + "=\""
                        + admin + "\";",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + keyStore(),
                "ssl.keystore.password=" + storePassword,
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + certificate(),
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + AccessCatalog.ADMIN,
                "allow.everyone.if.no.acl.found=false");
    }

    /** The storage tool's argument that gives the administrator its SCRAM credential before the broker first runs. */
    String formatCredential() throws LocalPlatformException {
        return MECHANISM + "=[name=" + AccessCatalog.ADMIN + ",password=" + password(AccessCatalog.ADMIN) + "]";
    }

    /** Sets every principal's SCRAM credential to the password of its client file. */
    void applyCredentials(Admin admin, Duration timeout) throws LocalPlatformException {
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        for (String principal : principals()) {
            upserts.add(new UserScramCredentialUpsertion(principal,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password(principal)));
        }
        try {
            admin.alterUserScramCredentials(upserts).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new LocalPlatformException("cannot set the principals' credentials: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new LocalPlatformException("the broker did not set the principals' credentials within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while setting the principals' credentials", e);
        }
    }

    private String clientFile(String principal, String password) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        settings.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
        settings.put(SaslConfigs.SASL_JAAS_CONFIG, SCRAM_LOGIN + " required username=\"" + principal
                + "\" password=\"" + password + "\";");
        settings.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        settings.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificate().toString());
        StringBuilder file = new StringBuilder("# Kafka client settings of the principal " + principal
                + " on the local platform's broker, written by factstream.\n");
        settings.forEach((key, value) -> file.append(key).append('=').append(value).append('\n'));
        return file.toString();
    }

    private void keytool(Duration timeout, String... args) throws IOException, LocalPlatformException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!keytool.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                keytool.destroyForcibly();
                throw new LocalPlatformException("keytool " + args[0] + " took longer than " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalPlatformException("interrupted while keytool ran", e);
        }
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (keytool.exitValue() != 0) {
            throw new LocalPlatformException("keytool " + args[0] + " failed (exit " + keytool.exitValue() + "): "
                    + output.lines().reduce((first, last) -> last).orElse("no output"));
        }
    }

    private Path keyStore() {
        return dir.resolve("broker.p12");
    }

    private Path keyStorePassword() {
        return dir.resolve("broker.p12.password");
    }

    private String newPassword() {
        char[] password = new char[24];
        for (int i = 0; i < password.length; i++) {
            password[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(password);
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
