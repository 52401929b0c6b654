package io.tunnelplane.server.engine;

/**
 * Published when the engine stops taking new work on shutdown (after the load balancer's grace): every public
 * listener closes now, so a visitor that still arrives is refused at connect and a balancer retries it elsewhere,
 * instead of being accepted by a node whose routes are already gone.
 */
public record DrainStarted() {
}
