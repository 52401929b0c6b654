package io.tunnelplane.server;

import io.tunnelplane.control.ControlPlaneConfiguration;
import io.tunnelplane.protocol.transport.LeakSampling;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import sun.misc.Signal;

/** The server: the tunnel engine ({@code io.tunnelplane.server}) running the control plane it imports. */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import(ControlPlaneConfiguration.class)
public class TunnelServerApplication {
    public static void main(String[] args) {
        LeakSampling.offUnlessConfigured();
        ConfigurableApplicationContext context = SpringApplication.run(TunnelServerApplication.class, args);
        exitCleanlyOnSigterm(context);
    }

    /**
     * SIGTERM is the normal way to stop the server (docker stop, systemd, Kubernetes): drain agents gracefully, then
     * exit 0. Without a handler the JVM would run the same shutdown but report 143, which supervisors count as a
     * failure.
     */
    private static void exitCleanlyOnSigterm(ConfigurableApplicationContext context) {
        Signal.handle(new Signal("TERM"), signal -> {
            context.close();
            System.exit(0);
        });
    }
}
