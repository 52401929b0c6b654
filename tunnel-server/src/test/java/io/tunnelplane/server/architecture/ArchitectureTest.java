package io.tunnelplane.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module rules of docs/adr and ARCHITECTURE, and tunnel-server's one-way package order: vhost and proxy (public
 * listeners) on top of session (groups, registry, pipeline), on top of admission (limits, login guard, throttles),
 * on top of config, metrics and tls; runtime and cluster beside session, using it, never used by it.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tunnelplane");

    private static final String SERVER = "io.tunnelplane.server.";

    @Test
    void theProtocolKnowsNoSpringNoPersistenceAndNoneOfItsUsers() {
        noClasses().that().resideInAPackage("io.tunnelplane.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.persistence..",
                        "io.tunnelplane.server..", "io.tunnelplane.control..", "io.tunnelplane.agent..")
                .check(CLASSES);
    }

    @Test
    void theControlPlaneUsesNoNettyAndNoProtocol() {
        noClasses().that().resideInAPackage("io.tunnelplane.control..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.tunnelplane.protocol..",
                        "io.tunnelplane.server..", "io.tunnelplane.agent..")
                .check(CLASSES);
    }

    @Test
    void theAgentSharesOnlyTheProtocolWithTheServer() {
        noClasses().that().resideInAPackage("io.tunnelplane.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tunnelplane.server..",
                        "io.tunnelplane.control..", "org.springframework..")
                .check(CLASSES);
    }

    @Test
    void sessionsNeverReachUpToListenersRuntimeClusterOrEngine() {
        noClasses().that().resideInAPackage(SERVER + "session..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + "proxy..", SERVER + "vhost..",
                        SERVER + "runtime..", SERVER + "cluster..", SERVER + "engine..")
                .check(CLASSES);
    }

    @Test
    void admissionSitsBelowSessions() {
        noClasses().that().resideInAPackage(SERVER + "admission..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + "session..", SERVER + "proxy..",
                        SERVER + "vhost..", SERVER + "runtime..", SERVER + "cluster..", SERVER + "engine..")
                .check(CLASSES);
    }

    @Test
    void configMetricsTlsAndTheAccessLogAreTheFloor() {
        noClasses().that().resideInAnyPackage(SERVER + "config..", SERVER + "metrics..", SERVER + "tls..",
                        SERVER + "accesslog..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + "admission..", SERVER + "session..",
                        SERVER + "proxy..", SERVER + "vhost..", SERVER + "runtime..", SERVER + "cluster..",
                        SERVER + "engine..")
                .check(CLASSES);
    }

    @Test
    void theClusterNeverUsesListenersOrTheRuntime() {
        noClasses().that().resideInAPackage(SERVER + "cluster..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + "proxy..", SERVER + "vhost..",
                        SERVER + "runtime..", SERVER + "engine..")
                .check(CLASSES);
    }

    @Test
    void theTrafficHistoryOnlyReadsSessions() {
        noClasses().that().resideInAPackage(SERVER + "history..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER + "proxy..", SERVER + "vhost..",
                        SERVER + "runtime..", SERVER + "cluster..", SERVER + "engine..")
                .check(CLASSES);
        noClasses().that().resideInAnyPackage(SERVER + "session..", SERVER + "proxy..", SERVER + "vhost..")
                .should().dependOnClassesThat().resideInAPackage(SERVER + "history..")
                .check(CLASSES);
    }
}
