import { describe, expect, it } from "vitest";
import { addressGroup, parseAddress } from "../../../src/apps/chat/address.ts";

describe("addressGroup", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:10.1.2.3", "10.1.2.3"],
    ["::1", "0:0:0:0::/64"],
    ["2001:db8:0:1:aa::5", "2001:db8:0:1::/64"],
    ["2001:db8:0:1:ffff:ffff:ffff:ffff", "2001:db8:0:1::/64"],
    ["2001:DB8:0000:0001::9", "2001:db8:0:1::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["/tmp/chat.sock", "/tmp/chat.sock"],
  ])("groups %s as %s", (host, group) => {
    expect(addressGroup(host)).toBe(group);
  });

  it("puts two addresses of one /64 together and of two /64s apart", () => {
    expect(addressGroup("2001:db8::1")).toBe(addressGroup("2001:db8::ffff:1"));
    expect(addressGroup("2001:db8:0:1::1")).not.toBe(addressGroup("2001:db8:0:2::1"));
  });
});

describe("parseAddress", () => {
  it("reads an address or a /64 group as an operator types it, and nothing else", () => {
    expect(parseAddress("10.0.0.7")).toBe("10.0.0.7");
    expect(parseAddress("2001:db8:0:1::77")).toBe("2001:db8:0:1::/64");
    expect(parseAddress("2001:db8:0:1::/64")).toBe("2001:db8:0:1::/64");
    expect(parseAddress("alice")).toBeUndefined();
    expect(parseAddress("10.0.0.300")).toBeUndefined();
  });
});
