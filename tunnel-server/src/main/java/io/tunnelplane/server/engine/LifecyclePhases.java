package io.tunnelplane.server.engine;

import org.springframework.context.SmartLifecycle;

/**
 * The server's start and stop order in one place. Spring stops the highest phase first, and stops a bean's
 * dependents together with it whatever their phase: a bean the virtual hosts depend on must therefore not sit in a
 * higher phase than they do, or SIGTERM would take the virtual hosts down before the load balancer's grace.
 */
public final class LifecyclePhases {
    /** The tunnel engine: turns readiness down, serves through the load balancer's grace, then drains. */
    public static final int ENGINE = SmartLifecycle.DEFAULT_PHASE - 512;
    /** The virtual hosts and what they depend on (sign-on, certificates): stopped once the engine has drained. */
    public static final int VIRTUAL_HOSTS = SmartLifecycle.DEFAULT_PHASE - 768;
    /** Cluster presence and change notifications: started before the engine, stopped after it. */
    public static final int CLUSTER = SmartLifecycle.DEFAULT_PHASE - 1024;

    private LifecyclePhases() {
    }
}
