/**
 * The dnstap schema's text (pure data), the same octets as ./dnstap.proto (provenance and licence
 * there; a test keeps the two equal): what ./dnstap.ts hands protobufjs's parser, so the bundle
 * carries the schema without reading a file.
 */
export const DNSTAP_PROTO = `// The dnstap event schema (proto2), field for field as published by the dnstap project in
// dnstap.proto of its dnstap.pb repository ("Written in 2013-2014 by Farsight Security, Inc.",
// dedicated to the public domain under CC0 1.0 Universal:
// <http://creativecommons.org/publicdomain/zero/1.0/>). Written out here with our own comments;
// the names, numbers, types and labels are the wire format's and must not change.
// dnstap-schema.ts carries this text for the decoder (packages/resolver/test/telemetry.test.ts keeps the two equal).

syntax = "proto2";
package dnstap;

// The top-level event: a union with one kind so far (MESSAGE).
message Dnstap {
    optional bytes      identity = 1;
    optional bytes      version = 2;
    optional bytes      extra = 3;
    enum Type {
        MESSAGE = 1;
    }
    required Type       type = 15;
    optional Message    message = 14;
}

enum SocketFamily {
    INET = 1;
    INET6 = 2;
}

enum SocketProtocol {
    UDP = 1;
    TCP = 2;
    DOT = 3;
    DOH = 4;
    DNSCryptUDP = 5;
    DNSCryptTCP = 6;
    DOQ = 7;
}

enum HttpProtocol {
    HTTP1 = 1;
    HTTP2 = 2;
    HTTP3 = 3;
}

message Policy {
    enum Match {
        QNAME = 1;
        CLIENT_IP = 2;
        RESPONSE_IP = 3;
        NS_NAME = 4;
        NS_IP = 5;
    }
    enum Action {
        NXDOMAIN = 1;
        NODATA = 2;
        PASS = 3;
        DROP = 4;
        TRUNCATE = 5;
        LOCAL_DATA = 6;
    }
    optional string type = 1;
    optional bytes rule = 2;
    optional Action action = 3;
    optional Match match = 4;
    optional bytes value = 5;
}

// One DNS message in wire form with where and when it was seen. An authoritative server logs
// the queries it receives as AUTH_QUERY: the resolver's address and port are query_address and
// query_port, the time query_time_sec and query_time_nsec, the query itself query_message.
message Message {
    enum Type {
        AUTH_QUERY = 1;
        AUTH_RESPONSE = 2;
        RESOLVER_QUERY = 3;
        RESOLVER_RESPONSE = 4;
        CLIENT_QUERY = 5;
        CLIENT_RESPONSE = 6;
        FORWARDER_QUERY = 7;
        FORWARDER_RESPONSE = 8;
        STUB_QUERY = 9;
        STUB_RESPONSE = 10;
        TOOL_QUERY = 11;
        TOOL_RESPONSE = 12;
        UPDATE_QUERY = 13;
        UPDATE_RESPONSE = 14;
    }
    required Type               type = 1;
    optional SocketFamily       socket_family = 2;
    optional SocketProtocol     socket_protocol = 3;
    optional bytes              query_address = 4;
    optional bytes              response_address = 5;
    optional uint32             query_port = 6;
    optional uint32             response_port = 7;
    optional uint64             query_time_sec = 8;
    optional fixed32            query_time_nsec = 9;
    optional bytes              query_message = 10;
    optional bytes              query_zone = 11;
    optional uint64             response_time_sec = 12;
    optional fixed32            response_time_nsec = 13;
    optional bytes              response_message = 14;
    optional Policy             policy = 15;
    optional HttpProtocol       http_protocol = 16;
}
`;
