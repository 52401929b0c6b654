package io.tunnelplane.control.console;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /} opens the console (a newcomer's first request used to get a 404). */
@Controller
class ConsoleHome {
    @GetMapping("/")
    String home() {
        return "redirect:/console";
    }
}
