{
  description = "Avalon music-collection metadata server";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        avalon = pkgs.buildNpmPackage {
          pname = "avalon";
          version = (builtins.fromJSON (builtins.readFile ./package.json)).version;
          src = ./.;
          nodejs = pkgs.nodejs_20;
          # Recompute with `nix run nixpkgs#prefetch-npm-deps package-lock.json` after changing the lockfile.
          npmDepsHash = pkgs.lib.fakeHash;
          nativeBuildInputs = [ pkgs.python3 ];
          npmBuildScript = "build";
          doCheck = false;
          meta.mainProgram = "avalon";
        };
        default = avalon;
      });

      apps = forAllSystems (pkgs: rec {
        avalon = {
          type = "app";
          program = "${self.packages.${pkgs.system}.avalon}/bin/avalon";
        };
        default = avalon;
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.nodejs_20 pkgs.python3 pkgs.ffmpeg pkgs.postgresql pkgs.wrk ];
        };
      });
    };
}
