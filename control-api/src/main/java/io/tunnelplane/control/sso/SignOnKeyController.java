package io.tunnelplane.control.sso;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tunnelplane.control.runtime.TunnelRuntime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "sso", description = "The keys that seal the sign-on cookies of http proxies' visitors")
public class SignOnKeyController {
    private final SignOnKeys keys;
    private final TunnelRuntime runtime;
    private final Clock clock;

    public SignOnKeyController(SignOnKeys keys, TunnelRuntime runtime, Clock clock) {
        this.keys = keys;
        this.runtime = runtime;
        this.clock = clock;
    }

    /** A key as the API shows it: never its secret. */
    public record KeyView(long id, Instant createdAt, Instant activeFrom) {
        static KeyView of(SignOnKeys.SignOnKey key) {
            return new KeyView(key.id(), key.createdAt(), key.activeFrom());
        }
    }

    @GetMapping("/api/v1/sso/keys")
    @Operation(summary = "The cookie keys kept: the newest active one seals new sign-on cookies, all open them")
    public List<KeyView> list() {
        return keys.all().stream().map(KeyView::of).toList();
    }

    @PostMapping("/api/v1/sso/keys")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Rotate: a new key seals cookies from a minute on (every node has it by then); cookies "
            + "sealed before keep working until they expire, then the old key is deleted")
    public KeyView rotate() {
        return KeyView.of(keys.rotate(clock.instant(), runtime.signOnLifetime()));
    }
}
