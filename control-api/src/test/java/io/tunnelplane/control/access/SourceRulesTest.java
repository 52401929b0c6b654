package io.tunnelplane.control.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceRulesTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void blocksMatchTheirPrefixBitForBit() throws Exception {
        AddressBlock block = AddressBlock.parse("10.1.2.128/25");
        assertThat(block.contains(ip("10.1.2.200"))).isTrue();
        assertThat(block.contains(ip("10.1.2.127"))).isFalse();
        assertThat(AddressBlock.parse("0.0.0.0/0").contains(ip("198.51.100.1"))).isTrue();
        assertThat(AddressBlock.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(AddressBlock.parse("2001:db8::/32").contains(ip("2001:db9::1"))).isFalse();
        assertThat(AddressBlock.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(AddressBlock.parse("::1").contains(ip("127.0.0.1"))).as("families never mix").isFalse();
        assertThat(AddressBlock.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
    }

    @Test
    void badEntriesSayWhatIsWrongAndNothingIsLookedUp() {
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.0/33")).hasMessageContaining("prefix length outside 0-32");
        assertThatThrownBy(() -> AddressBlock.parse("example.com")).hasMessageContaining("'example.com' is not an IP");
        assertThatThrownBy(() -> AddressBlock.parse("300.1.1.1")).hasMessageContaining("is not an IP");
        assertThatThrownBy(() -> AddressBlock.parse("::g")).hasMessageContaining("is not an IP");
        assertThatThrownBy(() -> AddressBlock.parse("")).hasMessageContaining("is not an IP");
    }

    @Test
    void denyWinsAndAnEmptyAllowListAdmitsTheRest() throws Exception {
        SourceRules rules = SourceRules.of(List.of("10.0.0.0/8"), List.of("10.9.0.0/16"));
        assertThat(rules.admits(ip("10.1.1.1"))).isTrue();
        assertThat(rules.admits(ip("10.9.1.1"))).isFalse();
        assertThat(rules.admits(ip("192.0.2.1"))).isFalse();
        SourceRules denyOnly = SourceRules.of(List.of(), List.of("127.0.0.0/8"));
        assertThat(denyOnly.admits(ip("127.0.0.1"))).isFalse();
        assertThat(denyOnly.admits(ip("192.0.2.1"))).isTrue();
    }

    @Test
    void aProxysOwnAllowListReplacesTheDefaultOneAndDenyListsAddUp() throws Exception {
        SourceRules defaults = SourceRules.of(List.of("192.0.2.0/24"), List.of("192.0.2.66"));
        SourceRules own = SourceRules.of(List.of("198.51.100.0/24"), List.of());
        assertThat(own.under(defaults).admits(ip("198.51.100.1"))).isTrue();
        assertThat(own.under(defaults).admits(ip("192.0.2.1"))).isFalse();
        assertThat(SourceRules.OPEN.under(defaults).admits(ip("192.0.2.1"))).isTrue();
        assertThat(SourceRules.OPEN.under(defaults).admits(ip("192.0.2.66"))).isFalse();
    }
}
