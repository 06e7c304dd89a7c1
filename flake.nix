{
  description = "Avalon music-collection metadata server";

  # nodejs_20 is the runtime the program is tested on; nixos-25.05 still carries it.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      # Node 20 everywhere, including the npm hooks that compile better-sqlite3 against Node's headers.
      pkgsFor = system: import nixpkgs {
        inherit system;
        overlays = [ (final: prev: { nodejs = prev.nodejs_20; }) ];
      };
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f (pkgsFor system));

      packageJson = builtins.fromJSON (builtins.readFile ./package.json);
      packageLock = builtins.fromJSON (builtins.readFile ./package-lock.json);
    in
    {
      # Pure helpers (builtins only, so `nix-instantiate --eval` can check them without nixpkgs).
      lib = {
        # The lockfile is written without registry `resolved` URLs (npm's omit-lockfile-registry-resolved);
        # Nix fetches each tarball by URL and the lockfile's own integrity hash, so put the URLs back.
        withRegistryUrls = lock: lock // {
          packages = builtins.mapAttrs
            (path: module:
              if path == "" || module ? resolved || !(module ? integrity) || (module.link or false) then module
              else
                let
                  name = module.name or (builtins.head (builtins.match ".*node_modules/((@[^/]+/)?[^/]+)" path));
                in
                module // { resolved = "https://registry.npmjs.org/${name}/-/${baseNameOf name}-${module.version}.tgz"; })
            lock.packages;
        };

        # Settings as the flat TOML file AVALON_CONFIG points at: strings (JSON escapes are valid TOML basic
        # strings) and integers.
        renderSettings = settings:
          builtins.concatStringsSep "" (map
            (name:
              let value = settings.${name}; in
              "${name} = ${if builtins.isInt value then toString value else builtins.toJSON value}\n")
            (builtins.attrNames settings));
      };

      packages = forAllSystems (pkgs: rec {
        avalon = pkgs.buildNpmPackage {
          pname = "avalon";
          inherit (packageJson) version;
          src = pkgs.lib.cleanSource ./.;
          nodejs = pkgs.nodejs_20;
          # Dependencies come from package-lock.json: one fixed-output fetch per package, checked against the
          # lockfile's integrity hash, so there is no npmDepsHash to recompute when the lockfile changes.
          npmDeps = pkgs.importNpmLock {
            npmRoot = ./.;
            packageLock = self.lib.withRegistryUrls packageLock;
          };
          npmConfigHook = pkgs.importNpmLock.npmConfigHook;
          # `npm run build`: the esbuild bundle into dist/ (the package's `prepare` script is not run by the hooks).
          npmBuildScript = "build";
          doCheck = false;
          meta = {
            description = packageJson.description;
            license = pkgs.lib.licenses.mit;
            mainProgram = "avalon";
          };
        };
        default = avalon;
      });

      apps = forAllSystems (pkgs: rec {
        # nix run .#avalon -- serve
        avalon = {
          type = "app";
          program = pkgs.lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.avalon;
        };
        default = avalon;
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          # node + npm for the build and tests, python3 and a C++ toolchain for better-sqlite3, PostgreSQL for
          # the end-to-end tests, ffmpeg to regenerate the audio fixtures.
          packages = [ pkgs.nodejs_20 pkgs.python3 pkgs.postgresql pkgs.ffmpeg ];
        };
      });

      nixosModules.default = self.nixosModules.avalon;
      nixosModules.avalon = { config, lib, pkgs, ... }:
        let
          cfg = config.services.avalon;
          configFile = pkgs.writeText "avalon.toml" (self.lib.renderSettings cfg.settings);
          avalon = lib.getExe cfg.package;
          common = {
            User = "avalon";
            Group = "avalon";
            StateDirectory = "avalon";
            WorkingDirectory = "/var/lib/avalon";
            EnvironmentFile = lib.mkIf (cfg.environmentFile != null) cfg.environmentFile;
            NoNewPrivileges = true;
            PrivateTmp = true;
            PrivateDevices = true;
            ProtectSystem = "strict";
            ProtectKernelTunables = true;
            ProtectControlGroups = true;
            RestrictSUIDSGID = true;
          };
        in
        {
          options.services.avalon = {
            enable = lib.mkEnableOption "the Avalon music metadata server";

            package = lib.mkOption {
              type = lib.types.package;
              default = self.packages.${pkgs.stdenv.hostPlatform.system}.avalon;
              defaultText = lib.literalExpression "avalon.packages.\${system}.avalon";
              description = "The avalon package to run.";
            };

            settings = lib.mkOption {
              type = lib.types.attrsOf (lib.types.oneOf [ lib.types.str lib.types.int ]);
              default = { };
              example = lib.literalExpression ''
                {
                  DATABASE_URL = "postgresql://avalon@localhost/avalon";
                  HOST = "0.0.0.0";
                  WORKERS = 4;
                  RELOAD_INTERVAL = 10;
                }
              '';
              description = ''
                Settings written to the TOML file `AVALON_CONFIG` points at (`avalon echo-config` prints every
                setting with its meaning). Settings left out keep the program's defaults; an unknown setting
                stops the service at start-up. Keep passwords out of here (the file is in the Nix store): put
                `AVALON_DATABASE_URL=…` in {option}`services.avalon.environmentFile` instead.
              '';
            };

            environmentFile = lib.mkOption {
              type = lib.types.nullOr lib.types.path;
              default = null;
              example = "/run/secrets/avalon.env";
              description = "A file of `AVALON_<SETTING>=value` lines (secrets), read by systemd; overrides {option}`settings`.";
            };

            openFirewall = lib.mkOption {
              type = lib.types.bool;
              default = false;
              description = "Open {option}`settings.PORT` in the firewall (set `HOST = \"0.0.0.0\"` too).";
            };

            scan = {
              enable = lib.mkEnableOption "a periodic `avalon scan` of the collection (the server picks up each new scan by itself)";
              collection = lib.mkOption {
                type = lib.types.str;
                example = "/srv/music";
                description = "Folder of the music collection; it must be readable by the avalon user.";
              };
              startAt = lib.mkOption {
                type = lib.types.str;
                default = "hourly";
                description = "When to scan, as a systemd calendar expression.";
              };
            };
          };

          config = lib.mkIf cfg.enable {
            services.avalon.settings = {
              DATABASE_URL = lib.mkDefault "sqlite:////var/lib/avalon/avalon.sqlite";
              HOST = lib.mkDefault "127.0.0.1";
              PORT = lib.mkDefault 8000;
            };

            users.users.avalon = {
              isSystemUser = true;
              group = "avalon";
              home = "/var/lib/avalon";
            };
            users.groups.avalon = { };

            networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ cfg.settings.PORT ];

            systemd.services.avalon = {
              description = "Avalon music metadata server";
              wantedBy = [ "multi-user.target" ];
              wants = [ "network-online.target" ];
              after = [ "network-online.target" "postgresql.service" ];
              # glibc then returns what a catalog load freed (README "Running in production").
              environment = { AVALON_CONFIG = configFile; MALLOC_TRIM_THRESHOLD_ = "131072"; };
              serviceConfig = common // {
                ExecStart = "${avalon} serve";
                # Rebuilds the catalog beside the old one and swaps it in (every worker, with WORKERS > 1).
                ExecReload = "${pkgs.coreutils}/bin/kill -HUP $MAINPID";
                # SIGTERM to the main process only: it stops its workers itself, each finishing its requests.
                KillMode = "mixed";
                TimeoutStopSec = 30;
                Restart = "on-failure";
                RestartSec = 2;
                ProtectHome = true;
              };
            };

            systemd.services.avalon-scan = lib.mkIf cfg.scan.enable {
              description = "Scan the music collection into Avalon's database";
              after = [ "postgresql.service" ];
              startAt = cfg.scan.startAt;
              environment.AVALON_CONFIG = configFile;
              serviceConfig = common // {
                Type = "oneshot";
                ExecStart = "${avalon} scan -q ${lib.escapeShellArg cfg.scan.collection}";
                ProtectHome = "read-only";
                Nice = 10;
                IOSchedulingClass = "idle";
              };
            };
          };
        };
    };
}
