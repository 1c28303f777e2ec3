import Foundation
import TwisterWeb

let usage = """
usage: twister <command> [options]

commands:
  hello --listen ENDPOINT   answer every request with Hello, World!
  web --listen ENDPOINT --path DIR   serve a directory
  echo --listen ENDPOINT    TCP echo server
  chat --listen ENDPOINT    Tornado's chat demo
  get URL                   fetch a URL and print the body
"""
// Reactor branch: minimal dispatch for `echo` until the lead's command dispatch lands.
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "echo" { exit(EchoCommand.run(Array(CommandLine.arguments.dropFirst(2)))) }
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "get" { exit(GetCommand.run(Array(CommandLine.arguments.dropFirst(2)))) }
print(usage)
